namespace Rill.Protocol;

/// <summary>
/// A message, record or struct that can be written at a given version. Size first, then write:
/// callers size a buffer with <see cref="ComputeSize"/> and hand exactly that span to <see cref="KafkaWriter"/>.
/// </summary>
public interface IKafkaMessage
{
    /// <summary>The exact number of bytes <see cref="Write"/> produces at <paramref name="version"/>.</summary>
    int ComputeSize(short version);

    /// <summary>Writes the fields present in <paramref name="version"/>; fields absent from it are skipped.</summary>
    void Write(ref KafkaWriter writer, short version);
}

/// <summary>A message that can also be read; static so that generic code needs no instance to start from.</summary>
public interface IKafkaMessage<TSelf> : IKafkaMessage
    where TSelf : IKafkaMessage<TSelf>
{
    /// <summary>Reads one instance at <paramref name="version"/>; malformed input throws <see cref="ProtocolException"/>.</summary>
    static abstract TSelf Read(ref KafkaReader reader, short version);
}
