namespace Rill.Replication;

/// <summary>
/// A Fetch answer's diverging epoch (KIP-595's truncation on fetch): the largest epoch the leader has at or below the
/// follower's last fetched one, and where it ends on the leader. The follower's log diverges after that offset.
/// </summary>
public readonly record struct DivergingEpoch(int Epoch, long EndOffset);
