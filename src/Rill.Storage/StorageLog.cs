using Microsoft.Extensions.Logging;
using Rill.Common;

namespace Rill.Storage;

/// <summary>Every log line the storage layer writes; event ids 2000-2999. Nothing per append.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information,
        Message = "Loaded {Topic}-{Partition} from {LogDir}: clean shutdown {CleanShutdown}, {SegmentCount} segments, {SegmentsScanned} scanned, {IndexesRebuilt} indexes rebuilt, {BytesTruncated} bytes truncated, log start {LogStartOffset}, log end {LogEndOffset} in {DurationMs} ms")]
    public static partial void LogLoaded(ILogger logger, string topic, int partition, string logDir, bool cleanShutdown, int segmentCount,
        int segmentsScanned, int indexesRebuilt, long bytesTruncated, long logStartOffset, long logEndOffset, double durationMs);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning,
        Message = "Recovery of {Topic}-{Partition} found {Reason}: {Detail}")]
    public static partial void RecoveryFinding(ILogger logger, string topic, int partition, CorruptionReason reason, string detail);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning,
        Message = "Dropped segment {LogPath} of {Topic}-{Partition}: it follows a corrupt batch at offset {Offset}")]
    public static partial void SegmentDroppedAfterCorruption(ILogger logger, string logPath, string topic, int partition, long offset);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Debug,
        Message = "Rolled {Topic}-{Partition} to a new segment at offset {Offset}")]
    public static partial void SegmentRolled(ILogger logger, string topic, int partition, long offset);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information,
        Message = "Deleting segment {BaseOffset} of {Topic}-{Partition} ({SizeBytes} bytes, newest timestamp {LargestTimestamp}): {Reason}; log start offset is now {LogStartOffset}")]
    public static partial void SegmentDeleted(ILogger logger, long baseOffset, string topic, int partition, long sizeBytes,
        long largestTimestamp, string reason, long logStartOffset);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Created log {Topic}-{Partition} in {LogDir}")]
    public static partial void LogCreated(ILogger logger, string topic, int partition, string logDir);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Deleted log {Topic}-{Partition} from {LogDir}")]
    public static partial void LogDeleted(ILogger logger, string topic, int partition, string logDir);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Information,
        Message = "Loaded {LogCount} logs from {LogDirCount} log dirs: {SegmentsScanned} segments scanned, {BytesTruncated} bytes truncated in {DurationMs} ms")]
    public static partial void LogsLoaded(ILogger logger, int logCount, int logDirCount, int segmentsScanned, long bytesTruncated, double durationMs);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Warning, Message = "Ignoring {Path}: {Detail}")]
    public static partial void CheckpointIgnored(ILogger logger, string path, string detail);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Error,
        Message = "I/O failure in log dir {LogDir}; its partitions now answer KAFKA_STORAGE_ERROR")]
    public static partial void LogDirFailed(ILogger logger, string logDir, Exception exception);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Error, Message = "Append listener failed for {Topic}-{Partition}")]
    public static partial void AppendListenerFailed(ILogger logger, string topic, int partition, Exception exception);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Information,
        Message = "Log dir {LogDir} had no clean-shutdown marker: recovering from the recovery points")]
    public static partial void UncleanShutdown(ILogger logger, string logDir);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Information, Message = "Shut down log dir {LogDir} cleanly ({LogCount} logs)")]
    public static partial void LogDirShutDown(ILogger logger, string logDir, int logCount);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "Skipping {Path}: not a partition directory")]
    public static partial void UnknownDirectorySkipped(ILogger logger, string path);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Information, Message = "Removed leftover {Path} from an earlier deletion")]
    public static partial void LeftoverRemoved(ILogger logger, string path);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Error, Message = "Background {Task} failed for {Topic}-{Partition}")]
    public static partial void MaintenanceFailed(ILogger logger, string task, string topic, int partition, Exception exception);

    [LoggerMessage(EventId = 2016, Level = LogLevel.Information,
        Message = "Compacted {Topic}-{Partition}: {SegmentsBefore} segments into {SegmentsAfter}, {BytesBefore} -> {BytesAfter} bytes, {RecordsRemoved} of {RecordsRead} records removed, clean up to offset {CleanedUpTo}, in {DurationMs} ms")]
    public static partial void LogCompacted(ILogger logger, string topic, int partition, int segmentsBefore, int segmentsAfter,
        long bytesBefore, long bytesAfter, long recordsRemoved, long recordsRead, long cleanedUpTo, double durationMs);

    [LoggerMessage(EventId = 2017, Level = LogLevel.Debug,
        Message = "Compaction of {Topic}-{Partition} due: dirty from offset {FirstDirtyOffset} to {FirstUncleanableOffset}, {DirtyBytes} dirty and {CleanBytes} clean bytes (ratio {DirtyRatio:F3}), overdue by max.compaction.lag.ms {Overdue}")]
    public static partial void CompactionDue(ILogger logger, string topic, int partition, long firstDirtyOffset, long firstUncleanableOffset,
        long dirtyBytes, long cleanBytes, double dirtyRatio, bool overdue);

    [LoggerMessage(EventId = 2018, Level = LogLevel.Debug,
        Message = "Swapped a cleaned segment into {Topic}-{Partition} for {SegmentCount} segments from offset {BaseOffset}: {BytesBefore} -> {BytesAfter} bytes")]
    public static partial void SegmentsSwapped(ILogger logger, string topic, int partition, int segmentCount, long baseOffset, long bytesBefore, long bytesAfter);

    [LoggerMessage(EventId = 2019, Level = LogLevel.Debug,
        Message = "Offset map full while compacting {Topic}-{Partition}: {KeyCount} keys up to offset {Offset}; the rest waits for the next pass")]
    public static partial void OffsetMapFull(ILogger logger, string topic, int partition, int keyCount, long offset);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Debug, Message = "Compaction of {Topic}-{Partition} stopped: {Reason}")]
    public static partial void CleaningAborted(ILogger logger, string topic, int partition, string reason);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Error,
        Message = "Cannot compact {Topic}-{Partition}: {Detail}; it is skipped until the broker restarts")]
    public static partial void LogUncleanable(ILogger logger, string topic, int partition, string detail);

    [LoggerMessage(EventId = 2022, Level = LogLevel.Warning,
        Message = "Checkpoints of log dir {LogDir} not written ({Detail}); the previous ones stay and the next run tries again")]
    public static partial void CheckpointSkipped(ILogger logger, string logDir, string detail);

    [LoggerMessage(EventId = 2023, Level = LogLevel.Warning,
        Message = "Could not remove {Path} after its creation failed ({Detail}); it is opened as after a crash when next asked for")]
    public static partial void CreationCleanupFailed(ILogger logger, string path, string detail);

    [LoggerMessage(EventId = 2024, Level = LogLevel.Error,
        Message = "{Topic}-{Partition} is unavailable (KAFKA_STORAGE_ERROR) and is tried again when next asked for; its log dir stays online: {Detail}")]
    public static partial void LogCreationFailed(ILogger logger, string topic, int partition, string detail, Exception? exception);

    [LoggerMessage(EventId = 2025, Level = LogLevel.Debug, Message = "{Topic}-{Partition} still unavailable after {Attempts} attempts: {Detail}")]
    public static partial void LogCreationFailedAgain(ILogger logger, string topic, int partition, int attempts, string detail);

    [LoggerMessage(EventId = 2026, Level = LogLevel.Warning,
        Message = "Could not roll {Topic}-{Partition} to a new segment at offset {Offset} ({Detail}); appends fail with KAFKA_STORAGE_ERROR until it can")]
    public static partial void RollFailed(ILogger logger, string topic, int partition, long offset, string detail);

    [LoggerMessage(EventId = 2027, Level = LogLevel.Warning,
        Message = "Compaction of {Topic}-{Partition} postponed to its next pass: {Detail}")]
    public static partial void CompactionPostponed(ILogger logger, string topic, int partition, string detail);

    [LoggerMessage(EventId = 2028, Level = LogLevel.Information,
        Message = "Truncated {Topic}-{Partition} to offset {Offset}: log end {OldLogEndOffset} -> {LogEndOffset}, {SegmentsDeleted} segments deleted")]
    public static partial void LogTruncated(ILogger logger, string topic, int partition, long offset, long oldLogEndOffset, long logEndOffset, int segmentsDeleted);

    [LoggerMessage(EventId = 2029, Level = LogLevel.Warning,
        Message = "Truncating {Topic}-{Partition} to offset {Offset}, inside the batch that starts at {BatchBaseOffset}: the whole batch goes, the log now ends at {BatchBaseOffset}")]
    public static partial void TruncatedInsideBatch(ILogger logger, string topic, int partition, long offset, long batchBaseOffset);

    [LoggerMessage(EventId = 2030, Level = LogLevel.Information,
        Message = "Emptied {Topic}-{Partition}: {SegmentsDeleted} segments deleted, the log starts again at offset {Offset}")]
    public static partial void LogTruncatedFully(ILogger logger, string topic, int partition, long offset, int segmentsDeleted);

    [LoggerMessage(EventId = 2031, Level = LogLevel.Warning,
        Message = "Leader epoch {Epoch} starting at offset {StartOffset} of {Topic}-{Partition} replaced later epochs in the epoch cache; it now holds {Entries}")]
    public static partial void EpochEntriesReplaced(ILogger logger, string topic, int partition, int epoch, long startOffset, string entries);

    [LoggerMessage(EventId = 2032, Level = LogLevel.Error, Message = "I/O error in the log at {Dir}; it is offline until restart")]
    public static partial void StandaloneLogFailed(ILogger logger, string dir, Exception exception);

    public static void RecoveryFinding(ILogger logger, TopicPartition topicPartition, RecoveryFinding finding) =>
        RecoveryFinding(logger, topicPartition.Topic, topicPartition.Partition, finding.Reason, finding.Detail);
}
