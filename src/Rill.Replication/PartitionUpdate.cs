namespace Rill.Replication;

/// <summary>What applying a registration did to a <see cref="Partition"/>.</summary>
/// <param name="Applied">False when the registration was older than what the partition knew and was skipped.</param>
/// <param name="IsLeader">This broker leads the partition now.</param>
/// <param name="IsNewLeaderEpoch">The leader epoch went up: a follower restarts fetching from its new leader.</param>
/// <param name="LeadershipChanged">The leader or its epoch changed: waiting produces and fetches answer with the new state.</param>
/// <param name="HighWatermarkIncreased">The high watermark moved (the ISR may have shrunk to caught-up replicas).</param>
public readonly record struct PartitionUpdate(bool Applied, bool IsLeader, bool IsNewLeaderEpoch, bool LeadershipChanged, bool HighWatermarkIncreased);
