using System.Globalization;
using Microsoft.Extensions.Logging;
using Rill.Common;

namespace Rill.Storage;

/// <summary>
/// Opens one partition directory. After a clean shutdown every segment opens without a scan, but its index
/// files must pass their checks (a missing or bad index is rebuilt by scanning that segment), and the active
/// segment's batch headers after its last index entry must parse. After a crash every segment from the one
/// holding the recovery point on is scanned: each batch's length, magic, offsets and CRC-32C are checked,
/// indexes rebuilt, and the file truncated at the first damaged batch, dropping every later segment. Before any of
/// that, what a crash left of a log cleaner swap is finished or discarded (<see cref="CompleteInterruptedSwaps"/>).
/// </summary>
internal static class LogLoader
{
    public static (Log Log, LogLoadInfo Info) Load(TopicPartition topicPartition, string logDir, string dir, LogConfig config,
        bool hadCleanShutdown, long? recoveryPointCheckpoint, long? logStartOffsetCheckpoint, TimeProvider time, ILogger logger, ILogHost host)
    {
        var started = time.GetTimestamp();
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var findings = new List<RecoveryFinding>();
        var swapped = CompleteInterruptedSwaps(dir, logger, findings);
        var baseOffsets = ListSegments(dir, logger);
        var recoveryPoint = recoveryPointCheckpoint ?? 0;
        var recoverFrom = hadCleanShutdown ? int.MaxValue : 0;
        for (var i = 1; i < baseOffsets.Count && !hadCleanShutdown; i++)
        {
            if (baseOffsets[i] <= recoveryPoint)
            {
                recoverFrom = i;
            }
        }

        var segments = new List<LogSegment>();
        var scannedSegments = new List<LogSegment>();
        int scanned = 0, rebuilt = 0, dropped = 0;
        long truncated = 0;
        var logEndOffset = logStartOffsetCheckpoint ?? 0;
        try
        {
            for (var i = 0; i < baseOffsets.Count; i++)
            {
                var segment = LogSegment.Open(dir, baseOffsets[i], nowMs);
                segments.Add(segment);
                var isLast = i == baseOffsets.Count - 1;
                var needsRecovery = i >= recoverFrom || swapped.Contains(baseOffsets[i]);
                if (!needsRecovery)
                {
                    try
                    {
                        segment.LoadIndexes(config, isLast ? long.MaxValue : baseOffsets[i + 1]);
                    }
                    catch (LogCorruptionException e)
                    {
                        findings.Add(new RecoveryFinding(segment.BaseOffset, e.Reason, -1, e.Message));
                        rebuilt++;
                        needsRecovery = true;
                    }
                }

                LogCorruptionException? tailFailure = null;
                if (!needsRecovery && isLast)
                {
                    // The tail after the last index entry was never checked. If it does not parse, the segment is
                    // recovered: a damaged tail is named by the recovery's own finding; a clean scan from the start
                    // means the index pointed at no batch, and it was the index that needed rebuilding.
                    try
                    {
                        logEndOffset = segment.ReadNextOffset();
                    }
                    catch (LogCorruptionException e)
                    {
                        tailFailure = e;
                        needsRecovery = true;
                    }
                }

                if (!needsRecovery)
                {
                    continue;
                }

                var outcome = segment.Recover(config);
                scannedSegments.Add(segment);
                scanned++;
                logEndOffset = outcome.NextOffset;
                if (outcome.Finding is null)
                {
                    if (tailFailure is not null)
                    {
                        var reason = tailFailure.Reason is CorruptionReason.IndexPastEndOfLog ? tailFailure.Reason : CorruptionReason.IndexMismatch;
                        findings.Add(new RecoveryFinding(segment.BaseOffset, reason, -1, tailFailure.Message));
                        rebuilt++;
                    }

                    continue;
                }

                findings.Add(outcome.Finding);
                truncated += outcome.BytesTruncated;
                for (var j = i + 1; j < baseOffsets.Count; j++)
                {
                    truncated += DeleteSegmentFiles(dir, baseOffsets[j]);
                    dropped++;
                    StorageLog.SegmentDroppedAfterCorruption(logger, SegmentFiles.LogPath(dir, baseOffsets[j]),
                        topicPartition.Topic, topicPartition.Partition, outcome.NextOffset);
                }

                break;
            }

            if (segments.Count == 0)
            {
                segments.Add(LogSegment.Create(dir, logEndOffset, config, nowMs));
            }
        }
        catch
        {
            foreach (var segment in segments)
            {
                segment.Dispose();
            }

            throw;
        }

        var logStartOffset = Math.Max(logStartOffsetCheckpoint ?? segments[0].BaseOffset, segments[0].BaseOffset);
        if (logStartOffset > logEndOffset)
        {
            findings.Add(new RecoveryFinding(-1, CorruptionReason.LogStartOffsetAheadOfLog, -1,
                $"log start offset {logStartOffset} is past the log end {logEndOffset}; lowered to it"));
            logStartOffset = logEndOffset;
        }

        var flushedUpTo = recoveryPointCheckpoint ?? (hadCleanShutdown ? logEndOffset : 0);
        if (flushedUpTo > logEndOffset)
        {
            findings.Add(new RecoveryFinding(-1, CorruptionReason.RecoveryPointAheadOfLog, -1,
                $"recovery point {flushedUpTo} is past the log end {logEndOffset}; lowered to it"));
            flushedUpTo = logEndOffset;
        }

        LeaderEpochFileCache epochCache;
        try
        {
            epochCache = LoadEpochCache(dir, segments, scannedSegments, logStartOffset, logEndOffset, findings);
        }
        catch
        {
            foreach (var segment in segments)
            {
                segment.Dispose();
            }

            throw;
        }

        foreach (var finding in findings)
        {
            StorageLog.RecoveryFinding(logger, topicPartition, finding);
        }

        var log = new Log(topicPartition, logDir, dir, config, [.. segments], logStartOffset, logEndOffset, flushedUpTo, epochCache, time, logger, host);
        var info = new LogLoadInfo(topicPartition, logDir, hadCleanShutdown, segments.Count, scanned, rebuilt, truncated, dropped,
            logStartOffset, logEndOffset, flushedUpTo, time.GetElapsedTime(started), findings);
        StorageLog.LogLoaded(logger, topicPartition.Topic, topicPartition.Partition, logDir, hadCleanShutdown, info.SegmentCount,
            scanned, rebuilt, truncated, logStartOffset, logEndOffset, info.Duration.TotalMilliseconds);
        return (log, info);
    }

    /// <summary>A new, empty partition: one segment at offset 0.</summary>
    public static Log CreateNew(TopicPartition topicPartition, string logDir, string dir, LogConfig config, TimeProvider time, ILogger logger, ILogHost host)
    {
        var segment = LogSegment.Create(dir, 0, config, time.GetUtcNow().ToUnixTimeMilliseconds());
        return new Log(topicPartition, logDir, dir, config, [segment], 0, 0, 0, new LeaderEpochFileCache(dir, []), time, logger, host);
    }

    /// <summary>
    /// The partition's leader epoch cache, as Kafka's loader builds it: the <c>leader-epoch-checkpoint</c>'s entries, plus
    /// any newer epoch the segments recovery scanned begin, less the entries a crash left past the log end, with the first
    /// moved up to the log start. It is rebuilt from every batch's partition leader epoch instead when the file is
    /// missing (a log written before Rill kept it), does not parse, or disagrees with the log: its latest epoch must be the
    /// last batch's, since every epoch is written to the file before its first batch. Written back when it changed.
    /// </summary>
    private static LeaderEpochFileCache LoadEpochCache(string dir, List<LogSegment> segments, List<LogSegment> scannedSegments,
        long logStartOffset, long logEndOffset, List<RecoveryFinding> findings)
    {
        var path = Path.Combine(dir, LeaderEpochFileCache.FileName);
        string? problem = null;
        EpochEntry[]? entries;
        try
        {
            entries = LeaderEpochFileCache.Read(path);
            problem = entries is null ? $"{path} is missing" : null;
        }
        catch (LogCorruptionException e)
        {
            entries = null;
            problem = e.Message;
        }

        var lastBatchEpoch = LastBatchEpoch(segments);
        var cache = new LeaderEpochFileCache(dir, entries ?? []);
        var changed = false;
        if (entries is not null)
        {
            var recovered = new List<EpochEntry>();
            foreach (var segment in scannedSegments)
            {
                segment.CollectEpochStarts(recovered);
            }

            foreach (var start in recovered)
            {
                if (cache.LatestEpoch is not { } latest || start.Epoch > latest)
                {
                    changed |= cache.Assign(start.Epoch, start.StartOffset, out _);
                }
            }

            changed |= cache.TruncateFromEnd(logEndOffset);
            if (lastBatchEpoch is { } epoch && epoch >= 0 && cache.LatestEpoch != epoch)
            {
                problem = $"{path} names epoch {cache.LatestEpoch?.ToString(CultureInfo.InvariantCulture) ?? "none"} last, but the last batch has epoch {epoch}";
            }
        }

        if (problem is not null)
        {
            var starts = new List<EpochEntry>();
            foreach (var segment in segments)
            {
                segment.CollectEpochStarts(starts);
            }

            cache = new LeaderEpochFileCache(dir, [.. starts]);
            cache.TruncateFromEnd(logEndOffset);
            changed = true;

            // A log that never held a batch has nothing to rebuild: its missing file is no finding.
            if (entries is not null || lastBatchEpoch is not null || File.Exists(path))
            {
                findings.Add(new RecoveryFinding(-1, CorruptionReason.LeaderEpochCheckpointInvalid, -1,
                    $"{problem}; rebuilt from the batches: {string.Join(", ", cache.Entries.Select(static e => $"epoch {e.Epoch} from {e.StartOffset}"))}"));
            }
        }

        cache.TruncateFromStart(logStartOffset);
        if (changed)
        {
            cache.Write();
        }

        return cache;
    }

    /// <summary>The partition leader epoch of the log's last batch, or null when no segment holds one.</summary>
    private static int? LastBatchEpoch(List<LogSegment> segments)
    {
        for (var i = segments.Count - 1; i >= 0; i--)
        {
            if (segments[i].LastBatchEpoch() is { } epoch)
            {
                return epoch;
            }
        }

        return null;
    }

    /// <summary>
    /// Finishes what a crash interrupted in the log cleaner, as Kafka's loader does. <c>.cleaned</c> files were never
    /// committed: deleted. A <c>.log.swap</c> file was complete and flushed before it got that name, so the swap goes
    /// ahead: the segments it replaces (based at its base offset, or inside [its base offset, its next offset)) are
    /// deleted and it takes its final name. Index <c>.swap</c> files are deleted; the caller rebuilds the swapped
    /// segments' indexes from their batches. Returns the base offsets swapped in.
    /// </summary>
    private static HashSet<long> CompleteInterruptedSwaps(string dir, ILogger logger, List<RecoveryFinding> findings)
    {
        var swapLogSuffix = SegmentFiles.LogSuffix + SegmentFiles.SwapSuffix;
        var swapLogs = new SortedSet<long>();
        foreach (var path in Directory.GetFiles(dir))
        {
            var name = Path.GetFileName(path);
            if (SegmentFiles.TryParseBaseOffset(name, swapLogSuffix, out var baseOffset))
            {
                swapLogs.Add(baseOffset);
            }
            else if (name.EndsWith(SegmentFiles.CleanedSuffix, StringComparison.Ordinal) || name.EndsWith(SegmentFiles.SwapSuffix, StringComparison.Ordinal))
            {
                File.Delete(path);
                StorageLog.LeftoverRemoved(logger, path);
            }
        }

        foreach (var baseOffset in swapLogs)
        {
            var swapPath = SegmentFiles.LogPath(dir, baseOffset) + SegmentFiles.SwapSuffix;
            var nextOffset = ReadNextOffset(swapPath, baseOffset);
            foreach (var path in Directory.GetFiles(dir))
            {
                var name = Path.GetFileName(path);
                if ((SegmentFiles.TryParseBaseOffset(name, SegmentFiles.LogSuffix, out var replaced)
                        || SegmentFiles.TryParseBaseOffset(name, SegmentFiles.IndexSuffix, out replaced)
                        || SegmentFiles.TryParseBaseOffset(name, SegmentFiles.TimeIndexSuffix, out replaced))
                    && (replaced == baseOffset || (replaced > baseOffset && replaced < nextOffset)))
                {
                    File.Delete(path);
                }
            }

            File.Move(swapPath, SegmentFiles.LogPath(dir, baseOffset));
            findings.Add(new RecoveryFinding(baseOffset, CorruptionReason.InterruptedSwap, -1,
                $"{swapPath}: a compaction swap was interrupted; completed it, replacing the segments in [{baseOffset}, {Math.Max(nextOffset, baseOffset + 1)})"));
        }

        if (swapLogs.Count > 0)
        {
            FileSystemSync.FsyncDirectory(dir);
        }

        return [.. swapLogs];
    }

    /// <summary>The offset after the last whole batch of a segment file (its base offset when it holds none).</summary>
    private static long ReadNextOffset(string path, long baseOffset)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = RandomAccess.GetLength(file);
        using var window = new FileWindow(file, length, 64 * 1024);
        var next = baseOffset;
        long position = 0;
        while (position < length && LogSegment.CheckHeader(window, position, out var header) is null)
        {
            next = header.LastOffset + 1;
            position += header.Size;
        }

        return next;
    }

    /// <summary>Base offsets of the directory's segments, ascending; removes files a finished deletion left behind.</summary>
    private static List<long> ListSegments(string dir, ILogger logger)
    {
        var logs = new SortedSet<long>();
        var indexes = new List<(string Path, long BaseOffset)>();
        foreach (var path in Directory.EnumerateFiles(dir))
        {
            var name = Path.GetFileName(path);
            if (name.EndsWith(SegmentFiles.DeletedSuffix, StringComparison.Ordinal))
            {
                File.Delete(path);
                StorageLog.LeftoverRemoved(logger, path);
            }
            else if (SegmentFiles.TryParseBaseOffset(name, SegmentFiles.LogSuffix, out var baseOffset))
            {
                logs.Add(baseOffset);
            }
            else if (SegmentFiles.TryParseBaseOffset(name, SegmentFiles.IndexSuffix, out baseOffset)
                || SegmentFiles.TryParseBaseOffset(name, SegmentFiles.TimeIndexSuffix, out baseOffset))
            {
                indexes.Add((path, baseOffset));
            }
        }

        foreach (var (path, baseOffset) in indexes)
        {
            if (!logs.Contains(baseOffset))
            {
                File.Delete(path);
                StorageLog.LeftoverRemoved(logger, path);
            }
        }

        return [.. logs];
    }

    private static long DeleteSegmentFiles(string dir, long baseOffset)
    {
        var logPath = SegmentFiles.LogPath(dir, baseOffset);
        var size = new FileInfo(logPath).Length;
        File.Delete(logPath);
        File.Delete(SegmentFiles.IndexPath(dir, baseOffset));
        File.Delete(SegmentFiles.TimeIndexPath(dir, baseOffset));
        return size;
    }
}
