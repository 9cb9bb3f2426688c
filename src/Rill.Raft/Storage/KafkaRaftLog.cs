using Microsoft.Extensions.Logging;
using Rill.Common;
using Rill.Protocol.Records;
using Rill.Storage;

namespace Rill.Raft.Storage;

/// <summary>
/// The metadata quorum's log, <c>__cluster_metadata-0</c>, on Rill.Storage's <see cref="Log"/> in Kafka's format (kafka:
/// KafkaMetadataLog): segments of 8 MiB (<c>metadata.log.segment.bytes</c>), record batches whose partition leader epoch
/// is the Raft epoch, Kafka's <c>leader-epoch-checkpoint</c>, and snapshots as <c>&lt;offset&gt;-&lt;epoch&gt;.checkpoint</c>
/// files beside the segments. Nothing is removed by time or size: the log start only moves when
/// <see cref="DeleteBeforeSnapshot"/> drops what a snapshot replaced, or a follower starts over from one. It lives in
/// the first log dir, which <see cref="LogManager"/> skips when it loads partitions; other files there (the single
/// node's <c>metadata.log</c>, <c>quorum-state</c>) are left alone.
/// </summary>
/// <remarks>
/// As Kafka's, every open recovers the whole log (checking every batch's CRC-32C), which snapshots keep short; after a
/// restart the log start is the first segment's base offset, which may lie below the snapshot that replaced it (the
/// records in between are still there and valid). A failed write takes the log offline and every later call throws,
/// so the Raft client stops (a fault in the Raft log stops the node).
/// </remarks>
public sealed class KafkaRaftLog : IRaftLog
{
    /// <summary>Kafka's <c>metadata.log.segment.bytes</c> default.</summary>
    public const int SegmentBytes = 8 * 1024 * 1024;

    /// <summary>The directory's and topic's name: <see cref="LogManager.MetadataLogDirectoryName"/> is its directory.</summary>
    public static readonly TopicPartition TopicPartition = new("__cluster_metadata", 0);

    private readonly Log _log;
    private readonly ILogger _logger;
    private readonly Lock _snapshotsLock = new();

    /// <summary>Complete snapshots, oldest first (Kafka's order: offset, then epoch).</summary>
    private readonly List<OffsetAndEpoch> _snapshots;

    private int _partialFiles;

    private KafkaRaftLog(Log log, List<OffsetAndEpoch> snapshots, ILogger logger)
    {
        _log = log;
        _snapshots = snapshots;
        _logger = logger;
    }

    /// <summary>The partition directory: <c>&lt;log dir&gt;/__cluster_metadata-0</c>.</summary>
    public string Dir => _log.Dir;

    /// <summary>
    /// The segment settings: 8 MiB segments and batches (KafkaRaftClient's largest), no retention by time or size, and
    /// deleted files removed at once, since nothing reads this log but the Raft client, which copies what it reads.
    /// </summary>
    public static LogConfig Config { get; } = LogConfig.Default with
    {
        SegmentBytes = SegmentBytes,
        MaxMessageBytes = SegmentBytes,
        RetentionMs = -1,
        RetentionBytes = -1,
        FileDeleteDelayMs = 0,
    };

    public long StartOffset => _log.LogStartOffset;

    public long EndOffset => _log.LogEndOffset;

    public long FlushedOffset => _log.RecoveryPoint;

    public int LastFetchedEpoch =>
        _log.LatestEpoch ?? (LatestSnapshotId is { } snapshot && snapshot.Offset == EndOffset ? snapshot.Epoch : 0);

    public long HighWatermark => _log.HighWatermark;

    public OffsetAndEpoch? LatestSnapshotId
    {
        get
        {
            lock (_snapshotsLock)
            {
                return _snapshots.Count > 0 ? _snapshots[^1] : null;
            }
        }
    }

    public OffsetAndEpoch? EarliestSnapshotId
    {
        get
        {
            lock (_snapshotsLock)
            {
                return _snapshots.Count > 0 ? _snapshots[0] : null;
            }
        }
    }

    /// <summary>
    /// Opens the metadata log in <paramref name="logDir"/> (the node's first log dir), creating it when absent, as
    /// Kafka's KafkaMetadataLog does: recovers the segments, deletes partial snapshots and those the log start passed,
    /// refuses a log that starts past offset 0 with no snapshot covering what came before (it could not rebuild the
    /// metadata), starts the log over from the latest snapshot when that is ahead of it (a follower that crashed after
    /// downloading a snapshot, before it replaced the log), and fsyncs what it found, so <see cref="FlushedOffset"/>
    /// is the end of the log.
    /// </summary>
    public static KafkaRaftLog Open(string logDir, TimeProvider time, ILogger logger) => Open(logDir, Config, time, logger);

    /// <summary><see cref="Open(string, TimeProvider, ILogger)"/> with other segment settings (tests use small segments).</summary>
    internal static KafkaRaftLog Open(string logDir, LogConfig config, TimeProvider time, ILogger logger)
    {
        var dir = Path.Combine(logDir, LogManager.MetadataLogDirectoryName);
        var log = Log.Open(dir, TopicPartition, config, time, logger);
        try
        {
            var raftLog = new KafkaRaftLog(log, RecoverSnapshots(dir, log.LogStartOffset, logger), logger);
            raftLog.TruncateToLatestSnapshot();
            log.Flush();
            return raftLog;
        }
        catch
        {
            log.Close();
            throw;
        }
    }

    public LogAppendInfo AppendAsLeader(ReadOnlyMemory<byte> batches, int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);

        // The log writes offsets and the epoch into the batches it is given; the caller's bytes stay as they are.
        var result = _log.AppendAsLeader(batches.ToArray(), epoch, AppendOrigin.Coordinator);
        return Appended(result, "leader");
    }

    public LogAppendInfo AppendAsFollower(ReadOnlyMemory<byte> batches)
    {
        // No compaction here, so unlike a partition's log the leader's batches leave no gap: the first starts at the end.
        var first = batches.Length >= RecordBatch.HeaderSize ? RecordBatch.GetBaseOffset(batches.Span) : -1;
        if (first != EndOffset)
        {
            throw new KafkaException(ErrorCode.OffsetOutOfRange,
                $"a follower append to the metadata log starts at offset {first}, not at its end offset {EndOffset}");
        }

        return Appended(_log.AppendAsFollower(batches), "follower");
    }

    public LogFetchInfo Read(long startOffset, long maxOffsetExclusive, int maxBytes)
    {
        using var read = _log.Read(startOffset, maxBytes, maxOffsetExclusive, minOneBatch: true);
        if (read.ErrorCode != ErrorCode.None)
        {
            throw new KafkaException(read.ErrorCode,
                $"cannot read the metadata log from offset {startOffset}: it holds offsets {read.LogStartOffset} to {read.LogEndOffset}");
        }

        // The read's buffer is pooled and returned when it is disposed; the Raft client keeps what it read for longer.
        var records = read.Records.ToArray();
        return new LogFetchInfo(records, records.Length > 0 ? RecordBatch.GetBaseOffset(records) : startOffset);
    }

    public void TruncateTo(long offset)
    {
        if (offset < HighWatermark)
        {
            throw new InvalidOperationException($"cannot truncate the metadata log to {offset}, below its high watermark {HighWatermark}");
        }

        _log.TruncateTo(offset);
    }

    /// <summary>
    /// The Raft contract's form of Kafka's <c>endOffsetForEpoch</c> on the leader epoch cache: the largest epoch at most
    /// <paramref name="epoch"/> and the offset it ends at (the next epoch's start, or the log end for the latest, also
    /// when <paramref name="epoch"/> is above every epoch the log holds); (-1, -1) when the log holds no epoch that old
    /// (the cache is empty, or starts with a later epoch: records of older ones went with a snapshot).
    /// </summary>
    public OffsetAndEpoch EndOffsetForEpoch(int epoch)
    {
        var entries = _log.LeaderEpochEntries;
        if (epoch < 0 || entries.Count == 0 || entries[0].Epoch > epoch)
        {
            return new OffsetAndEpoch(-1, -1);
        }

        if (epoch >= entries[^1].Epoch)
        {
            return new OffsetAndEpoch(EndOffset, entries[^1].Epoch);
        }

        var (foundEpoch, endOffset) = _log.EndOffsetForEpoch(epoch);
        return new OffsetAndEpoch(endOffset, foundEpoch);
    }

    public void UpdateHighWatermark(long offset) => _log.HighWatermark = offset;

    public void Flush() => _log.Flush();

    public IRawSnapshotWriter CreateNewSnapshot(OffsetAndEpoch snapshotId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(snapshotId.Offset);
        ArgumentOutOfRangeException.ThrowIfNegative(snapshotId.Epoch);

        // Kafka's writer names its partial files <id>-<random>.checkpoint.part, so that two writers of one id never share one.
        var partial = Path.Combine(Dir, $"{SnapshotFiles.Name(snapshotId)}-{Interlocked.Increment(ref _partialFiles)}{SnapshotFiles.PartialSuffix}");
        return new FileRawSnapshotWriter(Dir, snapshotId, partial, OnSnapshotFrozen);
    }

    public IRawSnapshotReader? ReadSnapshot(OffsetAndEpoch snapshotId)
    {
        lock (_snapshotsLock)
        {
            if (!_snapshots.Contains(snapshotId))
            {
                return null;
            }
        }

        return FileRawSnapshotReader.TryOpen(SnapshotFiles.Path(Dir, snapshotId), snapshotId);
    }

    /// <summary>
    /// When <paramref name="snapshotId"/> is the latest snapshot, lies past the log start and at or below both the high
    /// watermark and the log end: moves the log start to it, deletes the segments wholly before it and the older
    /// snapshots, and returns true (kafka: KafkaMetadataLog.deleteBeforeSnapshot). False, changing nothing, otherwise.
    /// </summary>
    public bool DeleteBeforeSnapshot(OffsetAndEpoch snapshotId)
    {
        if (LatestSnapshotId != snapshotId || snapshotId.Offset <= StartOffset || snapshotId.Offset > HighWatermark || snapshotId.Offset > EndOffset)
        {
            return false;
        }

        var result = _log.DeleteRecordsBefore(snapshotId.Offset);
        if (result.ErrorCode != ErrorCode.None)
        {
            throw new KafkaException(result.ErrorCode, $"cannot move the metadata log's start to snapshot {snapshotId}");
        }

        var segments = _log.RunRetention();
        var snapshots = ForgetSnapshotsBefore(snapshotId);
        RaftStorageLog.DeletedBeforeSnapshot(_logger, snapshotId.Offset, snapshotId.Epoch, segments, snapshots);
        return true;
    }

    /// <summary>
    /// Kafka's <c>truncateToLatestSnapshot</c>: when the latest snapshot is of a later epoch than the log's last, or of
    /// the same epoch but past its end, the log is emptied and starts at the snapshot's offset, and older snapshots go.
    /// </summary>
    public bool TruncateToLatestSnapshot()
    {
        if (LatestSnapshotId is not { } latest)
        {
            return false;
        }

        var logEpoch = LastFetchedEpoch;
        if (!(latest.Epoch > logEpoch || (latest.Epoch == logEpoch && latest.Offset > EndOffset)))
        {
            return false;
        }

        var oldEnd = EndOffset;
        _log.TruncateFullyAndStartAt(latest.Offset);
        var snapshots = ForgetSnapshotsBefore(latest);
        RaftStorageLog.TruncatedToSnapshot(_logger, latest.Offset, latest.Epoch, oldEnd, snapshots);
        return true;
    }

    /// <summary>Flushes and closes the log; snapshots being written are the writers' to dispose.</summary>
    public void Dispose() => _log.Close();

    /// <summary>
    /// The complete snapshots in <paramref name="dir"/>; deletes partial ones, those marked deleted and those below the
    /// log start, and throws when the log starts past 0 without a snapshot at or after its start.
    /// </summary>
    private static List<OffsetAndEpoch> RecoverSnapshots(string dir, long logStartOffset, ILogger logger)
    {
        var snapshots = new List<OffsetAndEpoch>();
        foreach (var path in Directory.GetFiles(dir))
        {
            if (!SnapshotFiles.TryParse(Path.GetFileName(path), out var snapshotId, out var kind))
            {
                continue;
            }

            if (kind == SnapshotFileKind.Complete && snapshotId.Offset >= logStartOffset)
            {
                snapshots.Add(snapshotId);
                continue;
            }

            File.Delete(path);
            RaftStorageLog.SnapshotFileRemoved(logger, path, kind == SnapshotFileKind.Complete ? $"it ends before the log start {logStartOffset}" : $"a {kind} file");
        }

        snapshots.Sort(SnapshotFiles.Compare);
        if (logStartOffset > 0 && (snapshots.Count == 0 || snapshots[^1].Offset < logStartOffset))
        {
            throw new InvalidDataException(
                $"{dir}: the metadata log starts at offset {logStartOffset} but no snapshot holds what came before it; the metadata cannot be rebuilt");
        }

        return snapshots;
    }

    private LogAppendInfo Appended(AppendResult result, string role)
    {
        if (result.ErrorCode != ErrorCode.None)
        {
            throw new KafkaException(result.ErrorCode, $"a {role} append to the metadata log failed: {result.ErrorMessage}");
        }

        return new LogAppendInfo(result.FirstOffset, result.LastOffset);
    }

    private void OnSnapshotFrozen(OffsetAndEpoch snapshotId)
    {
        lock (_snapshotsLock)
        {
            if (!_snapshots.Contains(snapshotId))
            {
                _snapshots.Add(snapshotId);
                _snapshots.Sort(SnapshotFiles.Compare);
            }
        }
    }

    /// <summary>Deletes the snapshots older than <paramref name="snapshotId"/>; a reader of one keeps its open file.</summary>
    private int ForgetSnapshotsBefore(OffsetAndEpoch snapshotId)
    {
        List<OffsetAndEpoch> forgotten;
        lock (_snapshotsLock)
        {
            forgotten = _snapshots.FindAll(s => SnapshotFiles.Compare(s, snapshotId) < 0);
            _snapshots.RemoveAll(s => SnapshotFiles.Compare(s, snapshotId) < 0);
        }

        foreach (var snapshot in forgotten)
        {
            File.Delete(SnapshotFiles.Path(Dir, snapshot));
        }

        return forgotten.Count;
    }
}
