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

        foreach (var finding in findings)
        {
            StorageLog.RecoveryFinding(logger, topicPartition, finding);
        }

        var log = new Log(topicPartition, logDir, dir, config, [.. segments], logStartOffset, logEndOffset, flushedUpTo, time, logger, host);
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
        return new Log(topicPartition, logDir, dir, config, [segment], 0, 0, 0, time, logger, host);
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
