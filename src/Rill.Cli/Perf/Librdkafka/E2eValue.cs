using System.Buffers.Binary;
using Confluent.Kafka;

namespace Rill.Cli.Perf.Librdkafka;

/// <summary>
/// The value of an e2e record: this run's id (8 bytes), the send time as a monotonic timestamp of the one process
/// that both produces and consumes (8 bytes, big-endian; 0 marks the warm-up record), then letters up to the
/// record size. Deserializing computes the latency the moment the consumer hands the record over.
/// </summary>
internal sealed class E2eValue : IDeserializer<long>
{
    public const int MinimumSize = 16;

    /// <summary>A record of another run or another writer.</summary>
    public const long Foreign = -1;

    /// <summary>The record sent before measuring, to know the consumer is fetching.</summary>
    public const long WarmUp = -2;

    private readonly long _runId;
    private readonly TimeProvider _timeProvider;

    public E2eValue(long runId, TimeProvider timeProvider)
    {
        _runId = runId;
        _timeProvider = timeProvider;
    }

    /// <summary>Writes the run id and <paramref name="timestamp"/> at the start of <paramref name="value"/>.</summary>
    public void Stamp(Span<byte> value, long timestamp)
    {
        BinaryPrimitives.WriteInt64BigEndian(value, _runId);
        BinaryPrimitives.WriteInt64BigEndian(value[8..], timestamp);
    }

    /// <summary>The latency in microseconds, or <see cref="Foreign"/> or <see cref="WarmUp"/>.</summary>
    public long Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull || data.Length < MinimumSize || BinaryPrimitives.ReadInt64BigEndian(data) != _runId)
        {
            return Foreign;
        }

        var sentAt = BinaryPrimitives.ReadInt64BigEndian(data[8..]);
        return sentAt == 0 ? WarmUp : (long)_timeProvider.GetElapsedTime(sentAt).TotalMicroseconds;
    }
}
