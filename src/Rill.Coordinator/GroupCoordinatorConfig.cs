namespace Rill.Coordinator;

/// <summary>The broker settings the group coordinator reads, in Kafka's units (see docs/configuration.md for the keys).</summary>
/// <param name="OffsetsTopicPartitions">offsets.topic.num.partitions; the topic's real count wins once it exists.</param>
/// <param name="GroupMinSessionTimeoutMs">group.min.session.timeout.ms.</param>
/// <param name="GroupMaxSessionTimeoutMs">group.max.session.timeout.ms.</param>
/// <param name="GroupInitialRebalanceDelayMs">group.initial.rebalance.delay.ms.</param>
/// <param name="OffsetsRetentionMs">offsets.retention.minutes in milliseconds.</param>
/// <param name="OffsetsRetentionCheckIntervalMs">offsets.retention.check.interval.ms.</param>
/// <param name="OffsetMetadataMaxBytes">offset.metadata.max.bytes (counted in UTF-16 chars, as Java's String.length).</param>
/// <param name="GroupMaxSize">group.max.size.</param>
public sealed record GroupCoordinatorConfig(
    int OffsetsTopicPartitions,
    int GroupMinSessionTimeoutMs,
    int GroupMaxSessionTimeoutMs,
    int GroupInitialRebalanceDelayMs,
    long OffsetsRetentionMs,
    long OffsetsRetentionCheckIntervalMs,
    int OffsetMetadataMaxBytes,
    int GroupMaxSize)
{
    /// <summary>Kafka's defaults.</summary>
    public static GroupCoordinatorConfig Default { get; } = new(
        OffsetsTopicPartitions: 50,
        GroupMinSessionTimeoutMs: 6_000,
        GroupMaxSessionTimeoutMs: 1_800_000,
        GroupInitialRebalanceDelayMs: 3_000,
        OffsetsRetentionMs: 7L * 24 * 60 * 60 * 1000,
        OffsetsRetentionCheckIntervalMs: 600_000,
        OffsetMetadataMaxBytes: 4096,
        GroupMaxSize: int.MaxValue);
}
