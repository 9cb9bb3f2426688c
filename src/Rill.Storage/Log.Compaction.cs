namespace Rill.Storage;

public sealed partial class Log
{
    private long _cleanerCheckpoint = -1;

    /// <summary>
    /// The offset below which the log cleaner has compacted (<c>cleaner-offset-checkpoint</c>), or -1 when it never
    /// has; the cleaner starts its next offset map here.
    /// </summary>
    internal long CleanerCheckpoint
    {
        get => Volatile.Read(ref _cleanerCheckpoint);
        set => Volatile.Write(ref _cleanerCheckpoint, value);
    }

    /// <summary>The current segment list, oldest first; never modified in place.</summary>
    internal LogSegment[] Segments => Volatile.Read(ref _segments);

    /// <summary>
    /// Swaps <paramref name="cleaned"/> (complete, flushed, its files named <c>.cleaned</c>) in for
    /// <paramref name="replaced"/>, consecutive closed segments of this log, as Kafka's <c>replaceSegments</c> does:
    /// rename the cleaned files to <c>.swap</c> and sync the directory (from here a crash completes the swap at the
    /// next load), then under the append lock rename the replaced files to <c>.deleted</c>, give the cleaned files their
    /// final names and publish the new segment list. Readers holding the old list keep reading the old files, whose
    /// handles stay open until <c>file.delete.delay.ms</c> passes (retention then closes and removes them). Returns
    /// false, deleting the cleaned files, when the log stopped, retention removed one of the replaced segments, or the log
    /// was truncated since the pass was planned (<paramref name="truncations"/>): a cut segment is the same object with
    /// fewer batches, and the cleaned copy would bring back what the truncation removed.
    /// </summary>
    internal bool ReplaceSegments(ReadOnlySpan<LogSegment> replaced, LogSegment cleaned, int truncations)
    {
        lock (_maintenanceLock)
        {
            var segments = Volatile.Read(ref _segments);
            var index = Array.IndexOf(segments, replaced[0]);
            if (State != LogState.Online || truncations != Truncations || index < 0 || index + replaced.Length >= segments.Length
                || !segments.AsSpan(index, replaced.Length).SequenceEqual(replaced))
            {
                cleaned.DeleteFiles();
                return false;
            }

            cleaned.ChangeSuffix(SegmentFiles.CleanedSuffix, SegmentFiles.SwapSuffix);
            FileSystemSync.FsyncDirectory(Dir);
            var dueMs = NowMs() + Config.FileDeleteDelayMs;
            lock (_appendLock)
            {
                foreach (var segment in replaced)
                {
                    segment.MarkDeleted();
                    _pendingDeletes.Add((segment, dueMs));
                }

                cleaned.ChangeSuffix(SegmentFiles.SwapSuffix, "");

                // Only rolls changed the list since it was read (the maintenance lock keeps retention out), and they append.
                segments = _segments;
                Volatile.Write(ref _segments, [.. segments.AsSpan(0, index), cleaned, .. segments.AsSpan(index + replaced.Length)]);
            }

            FileSystemSync.FsyncDirectory(Dir);
            return true;
        }
    }
}
