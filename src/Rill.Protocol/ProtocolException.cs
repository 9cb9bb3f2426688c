using Rill.Common;

namespace Rill.Protocol;

/// <summary>
/// Bytes on the wire that do not decode: truncated input, a negative or oversized length, an
/// over-long varint. Always <see cref="ErrorCode.InvalidRequest"/>; the server closes the connection.
/// </summary>
public sealed class ProtocolException : KafkaException
{
    public ProtocolException(string message)
        : base(ErrorCode.InvalidRequest, message)
    {
    }

    public ProtocolException(string message, Exception innerException)
        : base(ErrorCode.InvalidRequest, message, innerException)
    {
    }
}
