using System.Diagnostics.Metrics;
using Rill.Replication;

namespace Rill.Server.Observability;

/// <summary>The partitions this broker holds and their logs, read from the replica manager at scrape time.</summary>
public sealed class StorageMetrics
{
    private readonly ReplicaManager _replicas;

    public StorageMetrics(Meter meter, ReplicaManager replicas)
    {
        _replicas = replicas;
        meter.CreateObservableGauge("rill_partitions", () => _replicas.PartitionCount, "{partition}", "Partitions this broker holds a replica of.");
        meter.CreateObservableGauge("rill_log_size_bytes", () => PerPartition(static partition => partition.SizeInBytes), "By",
            "Bytes in all segments of the partition's log.");
        meter.CreateObservableGauge("rill_log_end_offset", () => PerPartition(static partition => partition.LogEndOffset), "{offset}",
            "Offset the partition's next record gets.");
        meter.CreateObservableGauge("rill_log_start_offset", () => PerPartition(static partition => partition.LogStartOffset), "{offset}",
            "First offset the partition still serves.");
    }

    /// <summary>One measurement per partition, in topic and partition order so that a scrape reads like a listing.</summary>
    private List<Measurement<long>> PerPartition(Func<Partition, long> read)
    {
        var partitions = _replicas.Partitions.ToList();
        partitions.Sort(static (a, b) =>
        {
            var byTopic = string.CompareOrdinal(a.TopicPartition.Topic, b.TopicPartition.Topic);
            return byTopic != 0 ? byTopic : a.TopicPartition.Partition.CompareTo(b.TopicPartition.Partition);
        });
        var measurements = new List<Measurement<long>>(partitions.Count);
        foreach (var partition in partitions)
        {
            var topicPartition = partition.TopicPartition;
            measurements.Add(new Measurement<long>(
                read(partition),
                new KeyValuePair<string, object?>("topic", topicPartition.Topic),
                new KeyValuePair<string, object?>("partition", topicPartition.Partition)));
        }

        return measurements;
    }
}
