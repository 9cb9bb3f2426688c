using Confluent.Kafka;

namespace Rill.Cli.Perf.Librdkafka;

/// <summary>Deserializes a key or value to its length: the consumer counts bytes without copying them into arrays.</summary>
internal sealed class LengthDeserializer : IDeserializer<int>
{
    public static readonly LengthDeserializer Instance = new();

    public int Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => isNull ? 0 : data.Length;
}
