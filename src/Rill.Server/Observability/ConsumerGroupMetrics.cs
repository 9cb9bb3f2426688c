using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Rill.Common;
using Rill.Coordinator;
using Rill.Replication;

namespace Rill.Server.Observability;

/// <summary>
/// Committed offsets and lag of the groups this broker coordinates. The offsets live on the coordinator's event
/// loops, so <see cref="RefreshAsync"/> copies them there before a scrape; the gauges then read that copy and
/// each partition's high watermark.
/// </summary>
public sealed class ConsumerGroupMetrics
{
    private readonly GroupCoordinator _groups;
    private readonly ReplicaManager _replicas;
    private readonly ILogger _logger;
    private volatile IReadOnlyList<GroupOffsetSnapshot> _offsets = [];

    public ConsumerGroupMetrics(Meter meter, GroupCoordinator groups, ReplicaManager replicas, ILogger logger)
    {
        _groups = groups;
        _replicas = replicas;
        _logger = logger;
        meter.CreateObservableGauge("rill_consumer_group_committed_offset", CommittedOffsets, "{offset}",
            "Offset the group committed for the partition: where its consumer resumes.");
        meter.CreateObservableGauge("rill_consumer_group_lag", Lags, "{record}",
            "High watermark minus the committed offset, for partitions this broker holds.");
    }

    /// <summary>
    /// Takes a fresh copy of the committed offsets. A coordinator that does not answer before
    /// <paramref name="cancellationToken"/> fires leaves the group series out of this scrape rather than showing stale ones.
    /// </summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            _offsets = await _groups.CommittedOffsetsAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _offsets = [];
            ObservabilityLog.GroupOffsetsNotCollected(_logger, "the group coordinator did not answer in time");
        }
        catch (ObjectDisposedException)
        {
            _offsets = [];
        }
    }

    private List<Measurement<long>> CommittedOffsets()
    {
        var offsets = _offsets;
        var measurements = new List<Measurement<long>>(offsets.Count);
        foreach (var offset in offsets)
        {
            measurements.Add(new Measurement<long>(offset.CommittedOffset, Tags(offset)));
        }

        return measurements;
    }

    private List<Measurement<long>> Lags()
    {
        var offsets = _offsets;
        var measurements = new List<Measurement<long>>(offsets.Count);
        foreach (var offset in offsets)
        {
            if (offset.CommittedOffset >= 0
                && _replicas.TryGetPartition(new TopicPartition(offset.Topic, offset.Partition), out var partition))
            {
                measurements.Add(new Measurement<long>(partition.HighWatermark - offset.CommittedOffset, Tags(offset)));
            }
        }

        return measurements;
    }

    private static KeyValuePair<string, object?>[] Tags(GroupOffsetSnapshot offset) =>
    [
        new("group", offset.GroupId),
        new("topic", offset.Topic),
        new("partition", offset.Partition),
    ];
}
