namespace Rill.Coordinator.Offsets;

/// <summary>One committed offset as <c>__consumer_offsets</c> keeps it.</summary>
/// <param name="CommittedOffset">The offset the consumer will resume from.</param>
/// <param name="LeaderEpoch">The leader epoch of the committed position (OffsetCommit v6+), -1 when unknown.</param>
/// <param name="Metadata">The client's metadata string; "" when it sent null.</param>
/// <param name="CommitTimestampMs">When the commit was written.</param>
/// <param name="ExpireTimestampMs">Set only by OffsetCommit v2-v4 with an explicit RetentionTimeMs; then it alone decides expiry.</param>
internal sealed record OffsetAndMetadata(long CommittedOffset, int LeaderEpoch, string Metadata, long CommitTimestampMs, long? ExpireTimestampMs);
