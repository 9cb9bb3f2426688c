namespace Rill.Raft;

/// <summary>
/// Told, on the Raft client's poll thread and in log order, what the quorum committed (kafka: RaftClient.Listener).
/// A node that starts behind a snapshot, or is sent one, first loads it, then the batches after it.
/// </summary>
public interface IRaftListener
{
    /// <summary>A snapshot replaces everything up to <see cref="RaftSnapshot.SnapshotId"/>; the listener resets its state to it.</summary>
    void HandleLoadSnapshot(RaftSnapshot snapshot);

    void HandleCommit(RaftBatch batch);

    /// <summary>The leader or epoch changed; the new leader's own commits follow once its first batch is committed.</summary>
    void HandleLeaderChange(LeaderAndEpoch leader);
}

/// <summary>The data records of a snapshot, in batches, and the position in the log it stands for (its end offset, exclusive).</summary>
public sealed record RaftSnapshot(OffsetAndEpoch SnapshotId, long LastContainedLogTimestampMs, IReadOnlyList<RaftBatch> Batches);
