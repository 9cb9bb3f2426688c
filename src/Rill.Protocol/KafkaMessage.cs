namespace Rill.Protocol;

/// <summary>Whole-buffer conveniences over <see cref="IKafkaMessage"/>, for tools, tests and cold paths.</summary>
public static class KafkaMessage
{
    /// <summary>Sizes, allocates and writes; the hot paths write into pooled buffers instead.</summary>
    public static byte[] Serialize<T>(T message, short version)
        where T : IKafkaMessage
    {
        var buffer = new byte[message.ComputeSize(version)];
        var writer = new KafkaWriter(buffer);
        message.Write(ref writer, version);
        if (writer.Position != buffer.Length)
        {
            throw new InvalidOperationException(
                $"{typeof(T).Name} v{version}: computed {buffer.Length} bytes but wrote {writer.Position}.");
        }

        return buffer;
    }

    /// <summary>Reads one message that must fill <paramref name="buffer"/> exactly.</summary>
    public static T Deserialize<T>(ReadOnlyMemory<byte> buffer, short version)
        where T : IKafkaMessage<T>
    {
        var reader = new KafkaReader(buffer);
        var message = T.Read(ref reader, version);
        if (reader.Remaining != 0)
        {
            throw new ProtocolException($"{typeof(T).Name} v{version}: {reader.Remaining} bytes left after the message.");
        }

        return message;
    }
}
