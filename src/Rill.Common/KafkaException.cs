namespace Rill.Common;

/// <summary>A failure that has a Kafka error code; it may cross layers and is mapped to the wire by the server.</summary>
public class KafkaException : Exception
{
    public KafkaException(ErrorCode errorCode, string message)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    public KafkaException(ErrorCode errorCode, string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
    }

    public ErrorCode ErrorCode { get; }
}
