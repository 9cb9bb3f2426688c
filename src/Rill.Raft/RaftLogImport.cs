namespace Rill.Raft;

/// <summary>
/// Writes records into an empty Raft log before its client starts, as batches of epoch 0 (before any election):
/// how a node that kept its metadata elsewhere (single-node Rill's old metadata.log) moves it onto the quorum. The
/// first election then commits them with the new leader's first batch, as any entries of an earlier epoch.
/// </summary>
public static class RaftLogImport
{
    /// <summary>Appends each batch of record values and flushes; the log must be empty.</summary>
    public static void Append(IRaftLog log, IEnumerable<IReadOnlyList<ReadOnlyMemory<byte>>> batches, long timestampMs)
    {
        if (log.EndOffset != 0 || log.LatestSnapshotId is not null)
        {
            throw new InvalidOperationException($"Records are imported into an empty log only; this one ends at {log.EndOffset}.");
        }

        foreach (var records in batches)
        {
            log.AppendAsLeader(RaftBatches.BuildData(log.EndOffset, 0, timestampMs, records), 0);
        }

        log.Flush();
    }
}
