using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Microsoft.Extensions.Logging;
using Rill.Common;

namespace Rill.Storage;

/// <summary>
/// Every partition log in the broker's data directories (<c>log.dirs</c>), in Kafka's layout: one
/// <c>&lt;topic&gt;-&lt;partition&gt;</c> directory per partition, and per data directory the
/// <c>recovery-point-offset-checkpoint</c>, <c>log-start-offset-checkpoint</c> and clean-shutdown marker.
/// </summary>
/// <remarks>
/// Background work is driven by the server, which owns the loop (and its cancellation and shutdown); the
/// manager starts no threads. Suggested cadence, after Kafka's defaults: <see cref="FlushDirty"/> every second
/// (cheap when nothing is due; it also flushes segments finished by a roll, which keeps recovery short),
/// <see cref="RunRetention"/> every <c>log.retention.check.interval.ms</c> (5 minutes),
/// <see cref="WriteCheckpoints"/> every <c>log.flush.offset.checkpoint.interval.ms</c> (1 minute), and
/// <see cref="RunCompaction"/> every <c>log.cleaner.backoff.ms</c> (15 seconds) on a loop of its own, since one call
/// may rewrite gigabytes. All four are safe to call concurrently with each other, appends and reads.
/// </remarks>
public sealed class LogManager : IDisposable, ILogHost
{
    /// <summary>
    /// The metadata log lives beside the partition logs, as Kafka's <c>__cluster_metadata-0</c> does, but it is
    /// the metadata layer's to open: loading skips it.
    /// </summary>
    public const string MetadataLogDirectoryName = "__cluster_metadata-0";

    public const string CleanShutdownFileName = ".kafka_cleanshutdown";
    public const string RecoveryPointCheckpointFileName = "recovery-point-offset-checkpoint";
    public const string LogStartOffsetCheckpointFileName = "log-start-offset-checkpoint";
    public const string CleanerOffsetCheckpointFileName = "cleaner-offset-checkpoint";

    private readonly string[] _logDirs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<TopicPartition, Log> _logs = new();
    private readonly ConcurrentDictionary<string, byte> _offlineDirs = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly Lock _checkpointLock = new();
    private readonly Lock _compactionLock = new();
    private readonly ConcurrentDictionary<TopicPartition, byte> _uncleanable = new();
    private readonly ConcurrentDictionary<TopicPartition, CreationFailure> _failedCreations = new();
    private LogCleaner? _cleaner;
    private ILogAppendListener? _appendListener;
    private bool _closed;

    public LogManager(IReadOnlyList<string> logDirs, TimeProvider time, ILoggerFactory loggerFactory)
    {
        if (logDirs.Count == 0)
        {
            throw new ArgumentException("at least one log dir is needed", nameof(logDirs));
        }

        _logDirs = [.. logDirs.Select(Path.GetFullPath)];
        if (_logDirs.Distinct(StringComparer.Ordinal).Count() != _logDirs.Length)
        {
            throw new ArgumentException($"log dirs repeat: {string.Join(", ", _logDirs)}", nameof(logDirs));
        }

        _time = time;
        _logger = loggerFactory.CreateLogger("Rill.Storage");
        foreach (var dir in _logDirs)
        {
            Directory.CreateDirectory(dir);
        }
    }

    public IReadOnlyList<string> LogDirs => _logDirs;

    /// <summary>Data directories that failed; their partitions answer KAFKA_STORAGE_ERROR until restart.</summary>
    public IReadOnlyCollection<string> OfflineLogDirs => [.. _offlineDirs.Keys];

    /// <summary>Every open log (a snapshot).</summary>
    public IReadOnlyCollection<Log> Logs => [.. _logs.Values];

    /// <summary>
    /// <c>log.cleaner.dedupe.buffer.size</c>: most bytes the cleaner's offset map may take (24 bytes a key; Kafka's default,
    /// 128 MiB, holds about 5.6 million keys). The map grows to it only as a pass needs; a log with more dirty keys is
    /// compacted over several passes.
    /// </summary>
    public long CleanerDedupeBufferBytes { get; init; } = 128L * 1024 * 1024;

    /// <summary>Told after every append to any log; set it before the first append.</summary>
    public ILogAppendListener? AppendListener
    {
        get => Volatile.Read(ref _appendListener);
        set => Volatile.Write(ref _appendListener, value);
    }

    /// <summary>
    /// Opens every partition directory in every data directory, recovering as needed (see <see cref="LogLoader"/>),
    /// and deletes the clean-shutdown marker so a crash from now on is seen as one. A data directory that fails
    /// with an I/O error goes offline; the others load.
    /// </summary>
    public LoadLogsResult LoadLogs(Func<TopicPartition, LogConfig> configFor)
    {
        var started = _time.GetTimestamp();
        var infos = new List<LogLoadInfo>();
        var findings = new List<RecoveryFinding>();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            foreach (var logDir in _logDirs)
            {
                try
                {
                    LoadLogDir(logDir, configFor, infos, findings);
                }
                catch (IOException e)
                {
                    MarkDirOffline(logDir, e);
                }
            }
        }

        var result = new LoadLogsResult(infos, findings, _time.GetElapsedTime(started));
        StorageLog.LogsLoaded(_logger, infos.Count, _logDirs.Length, result.SegmentsScanned, result.BytesTruncated, result.Duration.TotalMilliseconds);
        return result;
    }

    /// <summary>
    /// The partition's log: opened from its directory when one exists in an online data directory (left by an
    /// earlier run, or one that failed to load), else created empty in the data directory holding the fewest
    /// partitions. Throws <see cref="LogCreationException"/> when only this partition failed: out of file handles
    /// or space, no data directory online, or its files could not be loaded; a directory this call created is
    /// removed again, every handle it opened closed, and the data directory stays online. Once failed, a partition
    /// is tried again only after <see cref="CreationRetryBackoff"/>, so callers may ask on every use. Any other I/O
    /// error is a fault of the data directory, which goes offline (a <see cref="KafkaException"/> with KAFKA_STORAGE_ERROR).
    /// </summary>
    public Log GetOrCreateLog(TopicPartition topicPartition, LogConfig config)
    {
        if (_logs.TryGetValue(topicPartition, out var existing))
        {
            return existing;
        }

        if (!PartitionDirectory.IsValidTopicName(topicPartition.Topic) || topicPartition.Partition < 0)
        {
            throw new ArgumentException($"'{topicPartition}' is not a valid topic partition", nameof(topicPartition));
        }

        if (PartitionDirectory.Name(topicPartition) == MetadataLogDirectoryName)
        {
            throw new ArgumentException($"{MetadataLogDirectoryName} is the metadata log, which the metadata layer opens on its own", nameof(topicPartition));
        }

        config.Validate();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (_logs.TryGetValue(topicPartition, out existing))
            {
                return existing;
            }

            if (_failedCreations.TryGetValue(topicPartition, out var failure) && _time.GetElapsedTime(failure.Timestamp) < CreationRetryBackoff)
            {
                throw new LogCreationException(topicPartition, failure.Message);
            }

            var name = PartitionDirectory.Name(topicPartition);
            var logDir = FindPartitionDir(name);
            if (logDir is not null && _offlineDirs.ContainsKey(logDir))
            {
                // Its data is there: a new empty log elsewhere would silently replace it.
                throw CreationFailed(topicPartition, $"cannot open the log of {topicPartition}: its log dir {logDir} is offline", null, failure);
            }

            logDir ??= PickLogDir();
            if (logDir is null)
            {
                throw CreationFailed(topicPartition, $"cannot create the log of {topicPartition}: every log dir is offline", null, failure);
            }

            var dir = Path.Combine(logDir, name);
            var existed = Directory.Exists(dir);
            try
            {
                // Left by an earlier run and never loaded (or it failed to load): open it as after a crash.
                var log = existed
                    ? LogLoader.Load(topicPartition, logDir, dir, config, hadCleanShutdown: false, recoveryPointCheckpoint: null,
                        logStartOffsetCheckpoint: null, _time, _logger, this).Log
                    : CreateNewLog(topicPartition, logDir, dir, config);
                _logs[topicPartition] = log;
                _failedCreations.TryRemove(topicPartition, out _);
                StorageLog.LogCreated(_logger, topicPartition.Topic, topicPartition.Partition, logDir);
                return log;
            }
            catch (IOException e) when (StorageErrors.IsOutOfResources(e))
            {
                throw CreationFailed(topicPartition, $"cannot {(existed ? "open" : "create")} the log of {topicPartition} in {logDir}: {e.Message}", e, failure);
            }
            catch (IOException e)
            {
                MarkDirOffline(logDir, e);
                throw new KafkaException(ErrorCode.KafkaStorageError, $"cannot create the log of {topicPartition} in {logDir}", e);
            }
            catch (Exception e) when (existed && e is not OutOfMemoryException)
            {
                throw CreationFailed(topicPartition, $"cannot open the log of {topicPartition} in {logDir}: {e.Message}", e, failure);
            }
        }
    }

    /// <summary>Partitions whose log could not be created or loaded, with why; each answers KAFKA_STORAGE_ERROR until it is.</summary>
    public IReadOnlyDictionary<TopicPartition, string> FailedLogs =>
        _failedCreations.ToDictionary(static kv => kv.Key, static kv => kv.Value.Message);

    /// <summary>
    /// How long after a failed creation or load <see cref="GetOrCreateLog"/> answers from memory before trying the
    /// disk again: a partition asked for on every produce must not cost a directory and three files each time.
    /// </summary>
    public TimeSpan CreationRetryBackoff { get; init; } = TimeSpan.FromSeconds(5);

    public bool TryGetLog(TopicPartition topicPartition, [MaybeNullWhen(false)] out Log log) => _logs.TryGetValue(topicPartition, out log);

    /// <summary>
    /// Closes the partition's log and removes its directory, renaming it to <c>&lt;topic&gt;-&lt;partition&gt;.&lt;id&gt;-delete</c>
    /// first, as Kafka does, so a crash midway leaves a directory the next start removes. Does nothing for an unknown partition.
    /// </summary>
    public void DeleteLog(TopicPartition topicPartition)
    {
        lock (_lock)
        {
            _failedCreations.TryRemove(topicPartition, out _);
            if (!_logs.TryRemove(topicPartition, out var log))
            {
                return;
            }

            log.Close(clean: false, LogState.Deleted);
            _uncleanable.TryRemove(topicPartition, out _);
            try
            {
                var renamed = Path.Combine(log.LogDir, $"{PartitionDirectory.Name(topicPartition)}.{Guid.NewGuid():N}{PartitionDirectory.DeleteSuffix}");
                Directory.Move(log.Dir, renamed);
                FileSystemSync.FsyncDirectory(log.LogDir);
                Directory.Delete(renamed, recursive: true);
                StorageLog.LogDeleted(_logger, topicPartition.Topic, topicPartition.Partition, log.LogDir);
            }
            catch (IOException e)
            {
                MarkDirOffline(log.LogDir, e);
                throw new KafkaException(ErrorCode.KafkaStorageError, $"cannot delete the log of {topicPartition}", e);
            }
        }
    }

    /// <summary>Applies retention to every log and removes files whose deletion delay passed; returns segments deleted.</summary>
    public int RunRetention() => ForEachLog("retention", static log => log.RunRetention());

    /// <summary>Fsyncs logs due by <c>flush.messages</c>/<c>flush.ms</c> and segments finished by a roll, advancing recovery points.</summary>
    public void FlushDirty() => ForEachLog("flush", static log =>
    {
        log.FlushDirty();
        return 0;
    });

    /// <summary>
    /// Compacts, filthiest first, every log whose <c>cleanup.policy</c> includes compact and that is due: its bytes not yet
    /// compacted are more than <c>min.cleanable.dirty.ratio</c> of its compactable bytes, or a segment waited longer than
    /// <c>max.compaction.lag.ms</c> (see <see cref="LogCleaner"/>). Synchronous; one call at a time runs, others wait.
    /// After each log the data directory's <c>cleaner-offset-checkpoint</c> is rewritten, so a restart does not redo the
    /// work. A log whose batches fail their CRC or do not parse is logged once and skipped until restart; an I/O error
    /// takes its data directory offline. Returns the number of logs compacted.
    /// </summary>
    public int RunCompaction()
    {
        lock (_compactionLock)
        {
            var cleaner = _cleaner ??= new LogCleaner(CleanerDedupeBufferBytes, _time, _logger);
            var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var due = new List<LogToClean>();
            foreach (var log in _logs.Values)
            {
                if (!log.Config.Compact || log.State != LogState.Online || _uncleanable.ContainsKey(log.TopicPartition))
                {
                    continue;
                }

                var plan = LogCleaner.Plan(log, nowMs);
                if (plan.IsDue(log.Config))
                {
                    due.Add(plan);
                }
            }

            due.Sort(static (a, b) => b.DirtyRatio.CompareTo(a.DirtyRatio));
            var compacted = 0;
            foreach (var plan in due)
            {
                if (CompactLog(cleaner, plan))
                {
                    compacted++;
                }
            }

            return compacted;
        }
    }

    /// <summary>Writes both checkpoint files in every online data directory.</summary>
    public void WriteCheckpoints()
    {
        foreach (var logDir in _logDirs)
        {
            WriteCheckpoints(logDir);
        }
    }

    private void WriteCheckpoints(string logDir)
    {
        lock (_checkpointLock)
        {
            if (_offlineDirs.ContainsKey(logDir))
            {
                return;
            }

            var logs = _logs.Values.Where(l => l.LogDir == logDir).OrderBy(l => l.TopicPartition.Topic, StringComparer.Ordinal)
                .ThenBy(l => l.TopicPartition.Partition).ToArray();
            try
            {
                CheckpointFile.Write(Path.Combine(logDir, RecoveryPointCheckpointFileName),
                    logs.Select(l => KeyValuePair.Create(l.TopicPartition, l.RecoveryPoint)));
                CheckpointFile.Write(Path.Combine(logDir, LogStartOffsetCheckpointFileName),
                    logs.Select(l => KeyValuePair.Create(l.TopicPartition, l.LogStartOffset)));
            }
            catch (IOException e) when (StorageErrors.IsOutOfResources(e))
            {
                // The previous checkpoint stays in place (written to a temporary file, then renamed): it is older, never wrong.
                StorageLog.CheckpointSkipped(_logger, logDir, e.Message);
            }
            catch (IOException e)
            {
                MarkDirOffline(logDir, e);
            }
        }
    }

    /// <summary>
    /// Clean shutdown: flush every log, write the checkpoints, then the clean-shutdown marker in each data
    /// directory that stayed online, so the next start opens without scanning.
    /// </summary>
    public void Shutdown()
    {
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            foreach (var log in _logs.Values)
            {
                try
                {
                    log.Close(clean: true, LogState.Closed);
                }
                catch (IOException e)
                {
                    MarkDirOffline(log.LogDir, e);
                    log.Close(clean: false, LogState.Closed);
                }
            }

            WriteCheckpoints();
            foreach (var logDir in _logDirs)
            {
                if (_offlineDirs.ContainsKey(logDir))
                {
                    continue;
                }

                try
                {
                    WriteCleanShutdownMarker(logDir);
                    var logCount = _logs.Values.Count(l => l.LogDir == logDir);
                    StorageLog.LogDirShutDown(_logger, logDir, logCount);
                }
                catch (IOException e)
                {
                    MarkDirOffline(logDir, e);
                }
            }

            _logs.Clear();
        }
    }

    /// <summary>Closes every file without flushing or marking a clean shutdown (after <see cref="Shutdown"/>, nothing is left to do).</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            foreach (var log in _logs.Values)
            {
                log.Close(clean: false, LogState.Closed);
            }

            _logs.Clear();
        }
    }

    ILogAppendListener? ILogHost.AppendListener => AppendListener;

    void ILogHost.OnStorageFailure(Log log, Exception exception) => MarkDirOffline(log.LogDir, exception);

    // Kafka's LogManager.truncateTo checkpoints the recovery points of the truncated logs' directories the same way.
    void ILogHost.OnTruncated(Log log) => WriteCheckpoints(log.LogDir);

    private bool CompactLog(LogCleaner cleaner, LogToClean plan)
    {
        var log = plan.Log;
        var topic = log.TopicPartition.Topic;
        var partition = log.TopicPartition.Partition;
        var firstUncleanableOffset = plan.FirstUncleanableOffset;
        var dirtyRatio = plan.DirtyRatio;
        StorageLog.CompactionDue(_logger, topic, partition, plan.FirstDirtyOffset, firstUncleanableOffset, plan.DirtyBytes, plan.CleanBytes,
            dirtyRatio, plan.NeedCompactionNow);
        try
        {
            var stats = cleaner.Clean(plan);
            if (stats is null)
            {
                return false;
            }

            WriteCleanerCheckpoint(log.LogDir);
            var recordsRemoved = stats.RecordsRead - stats.RecordsRetained;
            var durationMs = stats.Duration.TotalMilliseconds;
            StorageLog.LogCompacted(_logger, topic, partition, stats.SegmentsBefore, stats.SegmentsAfter, stats.BytesBefore, stats.BytesAfter,
                recordsRemoved, stats.RecordsRead, stats.CleanedUpTo, durationMs);
            return true;
        }
        catch (LogCorruptionException e)
        {
            _uncleanable.TryAdd(log.TopicPartition, 0);
            StorageLog.LogUncleanable(_logger, topic, partition, e.Message);
        }
        catch (IOException e) when (StorageErrors.IsOutOfResources(e))
        {
            // The cleaner writes new .cleaned files beside the log and swaps them in only when complete: the log is untouched.
            StorageLog.CompactionPostponed(_logger, topic, partition, e.Message);
        }
        catch (IOException e)
        {
            MarkDirOffline(log.LogDir, e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _uncleanable.TryAdd(log.TopicPartition, 0);
            StorageLog.MaintenanceFailed(_logger, "compaction", topic, partition, e);
        }

        return false;
    }

    private void WriteCleanerCheckpoint(string logDir)
    {
        lock (_checkpointLock)
        {
            var logs = _logs.Values.Where(l => l.LogDir == logDir && l.CleanerCheckpoint >= 0).OrderBy(l => l.TopicPartition.Topic, StringComparer.Ordinal)
                .ThenBy(l => l.TopicPartition.Partition).ToArray();
            CheckpointFile.Write(Path.Combine(logDir, CleanerOffsetCheckpointFileName),
                logs.Select(l => KeyValuePair.Create(l.TopicPartition, l.CleanerCheckpoint)));
        }
    }

    private void LoadLogDir(string logDir, Func<TopicPartition, LogConfig> configFor, List<LogLoadInfo> infos, List<RecoveryFinding> findings)
    {
        var marker = Path.Combine(logDir, CleanShutdownFileName);
        var hadCleanShutdown = File.Exists(marker);
        var recoveryPoints = ReadCheckpoint(Path.Combine(logDir, RecoveryPointCheckpointFileName), findings);
        var logStartOffsets = ReadCheckpoint(Path.Combine(logDir, LogStartOffsetCheckpointFileName), findings);
        var cleanerCheckpoints = ReadCheckpoint(Path.Combine(logDir, CleanerOffsetCheckpointFileName), findings);
        if (hadCleanShutdown)
        {
            File.Delete(marker);
            FileSystemSync.FsyncDirectory(logDir);
        }

        var partitionDirs = Directory.GetDirectories(logDir).Order(StringComparer.Ordinal).ToArray();
        if (!hadCleanShutdown && partitionDirs.Length > 0)
        {
            StorageLog.UncleanShutdown(_logger, logDir);
        }

        foreach (var dir in partitionDirs)
        {
            var name = Path.GetFileName(dir);
            if (name.EndsWith(PartitionDirectory.DeleteSuffix, StringComparison.Ordinal))
            {
                Directory.Delete(dir, recursive: true);
                StorageLog.LeftoverRemoved(_logger, dir);
                continue;
            }

            if (name == MetadataLogDirectoryName)
            {
                continue;
            }

            if (!PartitionDirectory.TryParse(name, out var topicPartition))
            {
                StorageLog.UnknownDirectorySkipped(_logger, dir);
                continue;
            }

            if (_logs.TryGetValue(topicPartition, out var duplicate))
            {
                throw new InvalidOperationException($"{topicPartition} is in both {duplicate.Dir} and {dir}");
            }

            Log log;
            LogLoadInfo info;
            try
            {
                (log, info) = LogLoader.Load(topicPartition, logDir, dir, configFor(topicPartition).Validate(), hadCleanShutdown,
                    recoveryPoints.TryGetValue(topicPartition, out var recoveryPoint) ? recoveryPoint : null,
                    logStartOffsets.TryGetValue(topicPartition, out var logStartOffset) ? logStartOffset : null,
                    _time, _logger, this);
            }
            catch (Exception e) when (e is IOException io ? StorageErrors.IsOutOfResources(io) : e is not OutOfMemoryException)
            {
                // One partition that cannot be opened must not keep the broker from starting: it answers
                // KAFKA_STORAGE_ERROR and GetOrCreateLog tries it again. Other I/O errors take the data directory offline.
                RecordFailure(topicPartition, $"cannot open the log of {topicPartition} in {logDir}: {e.Message}", e, previous: null);
                continue;
            }

            if (cleanerCheckpoints.TryGetValue(topicPartition, out var cleanedUpTo))
            {
                log.CleanerCheckpoint = cleanedUpTo;
            }

            _logs[topicPartition] = log;
            infos.Add(info);
        }
    }

    /// <summary>Creates the partition's directory and first segment; on failure removes what it created, handles closed.</summary>
    private Log CreateNewLog(TopicPartition topicPartition, string logDir, string dir, LogConfig config)
    {
        Directory.CreateDirectory(dir);
        try
        {
            FileSystemSync.FsyncDirectory(logDir);
            return LogLoader.CreateNew(topicPartition, logDir, dir, config, _time, _logger, this);
        }
        catch (IOException e) when (StorageErrors.IsOutOfResources(e))
        {
            // LogSegment.Create closed what it opened; what it created on disk goes too, so no half-made partition is
            // left for the next start to load. If even that fails, the next attempt (or start) opens it as after a crash.
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException cleanup)
            {
                StorageLog.CreationCleanupFailed(_logger, dir, cleanup.Message);
            }

            throw;
        }
    }

    private LogCreationException CreationFailed(TopicPartition topicPartition, string message, Exception? exception, CreationFailure? previous)
    {
        RecordFailure(topicPartition, message, exception, previous);
        return exception is null ? new LogCreationException(topicPartition, message) : new LogCreationException(topicPartition, message, exception);
    }

    /// <summary>Remembers the failure for the retry backoff; logs it once at Warning, repeats at Debug.</summary>
    private void RecordFailure(TopicPartition topicPartition, string message, Exception? exception, CreationFailure? previous)
    {
        var attempts = (previous?.Attempts ?? 0) + 1;
        _failedCreations[topicPartition] = new CreationFailure(message, _time.GetTimestamp(), attempts);
        if (attempts == 1)
        {
            // Running out of handles can fail thousands of partitions at once: their stack traces would say nothing more.
            StorageLog.LogCreationFailed(_logger, topicPartition.Topic, topicPartition.Partition, message, exception is IOException ? null : exception);
        }
        else
        {
            StorageLog.LogCreationFailedAgain(_logger, topicPartition.Topic, topicPartition.Partition, attempts, message);
        }
    }

    /// <summary>The data directory that already holds the partition's directory, if any.</summary>
    private string? FindPartitionDir(string name)
    {
        foreach (var logDir in _logDirs)
        {
            if (Directory.Exists(Path.Combine(logDir, name)))
            {
                return logDir;
            }
        }

        return null;
    }

    private Dictionary<TopicPartition, long> ReadCheckpoint(string path, List<RecoveryFinding> findings)
    {
        try
        {
            return CheckpointFile.Read(path);
        }
        catch (LogCorruptionException e)
        {
            // Without it recovery starts from each log's beginning and the log start offset from its first segment: slower, never wrong.
            findings.Add(new RecoveryFinding(-1, e.Reason, -1, e.Message));
            StorageLog.CheckpointIgnored(_logger, path, e.Message);
            return [];
        }
    }

    private static void WriteCleanShutdownMarker(string logDir)
    {
        // Kafka 3.7+ (KIP-966) writes the broker epoch here; -1 until the broker has one to give us.
        var path = Path.Combine(logDir, CleanShutdownFileName);
        using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encoding.UTF8.GetBytes("{\"version\":0,\"brokerEpoch\":-1}"));
            stream.Flush(flushToDisk: true);
        }

        FileSystemSync.FsyncDirectory(logDir);
    }

    private string? PickLogDir()
    {
        string? best = null;
        var bestCount = int.MaxValue;
        foreach (var logDir in _logDirs)
        {
            if (_offlineDirs.ContainsKey(logDir))
            {
                continue;
            }

            var count = _logs.Values.Count(l => l.LogDir == logDir);
            if (count < bestCount)
            {
                best = logDir;
                bestCount = count;
            }
        }

        return best;
    }

    private int ForEachLog(string task, Func<Log, int> action)
    {
        var total = 0;
        foreach (var log in _logs.Values)
        {
            try
            {
                total += action(log);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                StorageLog.MaintenanceFailed(_logger, task, log.TopicPartition.Topic, log.TopicPartition.Partition, e);
            }
        }

        return total;
    }

    private void MarkDirOffline(string logDir, Exception exception)
    {
        if (!_offlineDirs.TryAdd(logDir, 0))
        {
            return;
        }

        StorageLog.LogDirFailed(_logger, logDir, exception);
        foreach (var log in _logs.Values)
        {
            if (log.LogDir == logDir)
            {
                log.MarkOffline();
            }
        }
    }

    private sealed record CreationFailure(string Message, long Timestamp, int Attempts);
}
