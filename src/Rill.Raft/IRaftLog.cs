namespace Rill.Raft;

/// <summary>
/// The log a Raft node replicates (kafka: ReplicatedLog): Kafka record batches (v2) whose partition leader epoch is
/// the Raft epoch that appended them, and the snapshots that replace a prefix of it. The metadata quorum keeps it in
/// <c>__cluster_metadata-0</c> on Rill.Storage's log; the simulation keeps it in memory. One thread (the Raft client's
/// poll loop) writes it.
/// </summary>
public interface IRaftLog : IDisposable
{
    /// <summary>The first offset the log holds; the latest snapshot's end offset once a prefix was replaced.</summary>
    long StartOffset { get; }

    /// <summary>The offset the next record gets.</summary>
    long EndOffset { get; }

    /// <summary>Offsets below it are known durable on this node: appends are fsync'd before it moves (Raft's persistence rule).</summary>
    long FlushedOffset { get; }

    /// <summary>The epoch of the last record in the log (or of the latest snapshot when the log is empty past it); 0 when empty.</summary>
    int LastFetchedEpoch { get; }

    /// <summary>The committed offset as last told to the log, kept within [<see cref="StartOffset"/>, <see cref="EndOffset"/>].</summary>
    long HighWatermark { get; }

    /// <summary>Assigns offsets from <see cref="EndOffset"/> and stamps <paramref name="epoch"/> on the batches; not yet flushed.</summary>
    LogAppendInfo AppendAsLeader(ReadOnlyMemory<byte> batches, int epoch);

    /// <summary>Appends batches a leader sent, with their offsets and epochs as they are; the first must start at <see cref="EndOffset"/>.</summary>
    LogAppendInfo AppendAsFollower(ReadOnlyMemory<byte> batches);

    /// <summary>Whole batches from <paramref name="startOffset"/> up to <paramref name="maxOffsetExclusive"/>, at most <paramref name="maxBytes"/> (at least one batch).</summary>
    LogFetchInfo Read(long startOffset, long maxOffsetExclusive, int maxBytes);

    /// <summary>Removes every record at or after <paramref name="offset"/>; never below the high watermark of a committed prefix.</summary>
    void TruncateTo(long offset);

    /// <summary>
    /// The largest epoch at most <paramref name="epoch"/> and the offset that epoch ends at (the start of the next one,
    /// or <see cref="EndOffset"/> for the latest); (-1, -1) when the log holds nothing that old (kafka: endOffsetForEpoch).
    /// </summary>
    OffsetAndEpoch EndOffsetForEpoch(int epoch);

    void UpdateHighWatermark(long offset);

    /// <summary>Makes everything appended durable and moves <see cref="FlushedOffset"/> to <see cref="EndOffset"/>.</summary>
    void Flush();

    /// <summary>The newest complete snapshot, if any.</summary>
    OffsetAndEpoch? LatestSnapshotId { get; }

    /// <summary>The oldest complete snapshot, if any.</summary>
    OffsetAndEpoch? EarliestSnapshotId { get; }

    /// <summary>Starts a snapshot of everything before <paramref name="snapshotId"/>'s offset; it becomes visible when frozen.</summary>
    IRawSnapshotWriter CreateNewSnapshot(OffsetAndEpoch snapshotId);

    /// <summary>A complete snapshot by id, or null when there is none.</summary>
    IRawSnapshotReader? ReadSnapshot(OffsetAndEpoch snapshotId);

    /// <summary>
    /// Moves <see cref="StartOffset"/> up to the latest snapshot and deletes the log and older snapshots before it,
    /// when <paramref name="snapshotId"/> is that snapshot and the high watermark has passed it; false otherwise.
    /// </summary>
    bool DeleteBeforeSnapshot(OffsetAndEpoch snapshotId);

    /// <summary>
    /// A follower that fetched a snapshot replaces its log with it: everything is removed and the log starts at the
    /// latest snapshot's offset. False when there is no snapshot past the log's end to start from.
    /// </summary>
    bool TruncateToLatestSnapshot();
}

/// <summary>The bytes of a snapshot being written: whole record batches, then <see cref="Freeze"/> makes it complete and visible.</summary>
public interface IRawSnapshotWriter : IDisposable
{
    OffsetAndEpoch SnapshotId { get; }

    long SizeInBytes { get; }

    void Append(ReadOnlyMemory<byte> batches);

    void Freeze();
}

/// <summary>A complete snapshot's bytes: whole record batches, served in slices to FetchSnapshot.</summary>
public interface IRawSnapshotReader : IDisposable
{
    OffsetAndEpoch SnapshotId { get; }

    long SizeInBytes { get; }

    /// <summary>Up to <paramref name="maxBytes"/> bytes from <paramref name="position"/>.</summary>
    ReadOnlyMemory<byte> Slice(long position, int maxBytes);
}
