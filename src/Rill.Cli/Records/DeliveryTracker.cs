using Confluent.Kafka;

namespace Rill.Cli.Records;

/// <summary>Counts delivery reports per partition (they arrive on librdkafka's thread) and keeps the first error.</summary>
internal sealed class DeliveryTracker
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<int, PartitionTally> _partitions = [];
    private readonly string _topic;
    private long _failed;
    private Error? _firstError;

    public DeliveryTracker(string topic)
    {
        _topic = topic;
    }

    public long Completed
    {
        get
        {
            lock (_lock)
            {
                return _partitions.Values.Sum(p => p.Records) + _failed;
            }
        }
    }

    public void OnDelivery(DeliveryReport<byte[]?, byte[]> report)
    {
        lock (_lock)
        {
            if (report.Error.IsError)
            {
                _failed++;
                _firstError ??= report.Error;
                return;
            }

            if (!_partitions.TryGetValue(report.Partition.Value, out var tally))
            {
                tally = new PartitionTally();
                _partitions[report.Partition.Value] = tally;
            }

            tally.Records++;
            if (report.Offset.Value >= 0)
            {
                tally.First = Math.Min(tally.First ?? long.MaxValue, report.Offset.Value);
                tally.Last = Math.Max(tally.Last ?? long.MinValue, report.Offset.Value);
            }
        }
    }

    public ProduceSummary Summary()
    {
        lock (_lock)
        {
            return new ProduceSummary(
                _topic,
                _partitions.Values.Sum(p => p.Records),
                _failed,
                [.. _partitions.Select(p => new PartitionSummary(p.Key, p.Value.Records, p.Value.First, p.Value.Last))],
                _firstError);
        }
    }

    private sealed class PartitionTally
    {
        public long Records { get; set; }

        public long? First { get; set; }

        public long? Last { get; set; }
    }
}
