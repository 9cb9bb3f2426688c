using Microsoft.Extensions.Logging;
using Rill.Common;
using Rill.Protocol.Records;

namespace Rill.Storage;

/// <summary>
/// One partition's log: segments in <c>&lt;log dir&gt;/&lt;topic&gt;-&lt;partition&gt;</c>. One append lock
/// covers validation's aftermath (offset assignment), the page-cache write and the index updates, never an
/// fsync. Readers take no lock: they read the published <see cref="LogEndOffset"/>, the segment list
/// snapshot and each segment's published size. A maintenance lock, taken before the append lock, keeps the
/// tasks that remove or replace segments (retention, the cleaner's swap, truncation, closing) from running into each
/// other. Lock order: maintenance, flush, append.
/// </summary>
public sealed partial class Log
{
    private readonly Lock _appendLock = new();
    private readonly Lock _flushLock = new();
    private readonly Lock _maintenanceLock = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ILogHost _host;
    private readonly List<(LogSegment Segment, long DueMs)> _pendingDeletes = [];
    private readonly LeaderEpochFileCache _epochCache;
    private LogConfig _config;
    private LogSegment[] _segments;
    private long _logEndOffset;
    private long _logStartOffset;
    private long _highWatermark;
    private long _recoveryPoint;
    private long _pendingRollFlushOffset;
    private long _lastFlushMs;
    private int _state;

    /// <summary>The epoch cache moved its first entry (the log start moved) and the file does not say so yet; see <see cref="MoveEpochCacheStart"/>.</summary>
    private bool _epochCacheStale;

    /// <summary>Truncations so far; a cleaning pass planned before one must not swap in what it read.</summary>
    private int _truncations;

    internal Log(TopicPartition topicPartition, string logDir, string dir, LogConfig config, LogSegment[] segments,
        long logStartOffset, long logEndOffset, long recoveryPoint, LeaderEpochFileCache epochCache, TimeProvider time, ILogger logger, ILogHost host)
    {
        TopicPartition = topicPartition;
        LogDir = logDir;
        Dir = dir;
        _config = config;
        _segments = segments;
        _logStartOffset = logStartOffset;
        _logEndOffset = logEndOffset;
        _highWatermark = logStartOffset;
        _recoveryPoint = recoveryPoint;
        _epochCache = epochCache;
        _time = time;
        _logger = logger;
        _host = host;
        _lastFlushMs = NowMs();
    }

    public TopicPartition TopicPartition { get; }

    /// <summary>The data directory (one of <c>log.dirs</c>) holding this partition.</summary>
    public string LogDir { get; }

    /// <summary>The partition's own directory, <c>&lt;topic&gt;-&lt;partition&gt;</c>.</summary>
    public string Dir { get; }

    /// <summary>The settings in force; replacing them applies to the next append, roll and retention run.</summary>
    public LogConfig Config
    {
        get => Volatile.Read(ref _config);
        set => Volatile.Write(ref _config, (value ?? throw new ArgumentNullException(nameof(value))).Validate());
    }

    public long LogStartOffset => Volatile.Read(ref _logStartOffset);

    /// <summary>The offset the next record gets; published after the bytes and indexes are written.</summary>
    public long LogEndOffset => Volatile.Read(ref _logEndOffset);

    /// <summary>
    /// Set by the replication layer (single node: to <see cref="LogEndOffset"/> after each append and after
    /// loading); kept within [<see cref="LogStartOffset"/>, <see cref="LogEndOffset"/>]. Starts at the log
    /// start offset when the log is opened, since storage does not keep it.
    /// </summary>
    public long HighWatermark
    {
        get => Volatile.Read(ref _highWatermark);
        set => Volatile.Write(ref _highWatermark, Math.Max(Math.Min(value, LogEndOffset), LogStartOffset));
    }

    /// <summary>Offsets below this are known to be on disk (fsync'd); recovery after a crash starts here.</summary>
    public long RecoveryPoint => Volatile.Read(ref _recoveryPoint);

    /// <summary>Bytes in all segments.</summary>
    public long SizeInBytes
    {
        get
        {
            long size = 0;
            foreach (var segment in Volatile.Read(ref _segments))
            {
                size += segment.Size;
            }

            return size;
        }
    }

    /// <summary>Base offsets of the segments, oldest first (a copy, for admin APIs and tests).</summary>
    public IReadOnlyList<long> SegmentBaseOffsets => Array.ConvertAll(Volatile.Read(ref _segments), s => s.BaseOffset);

    internal LogState State => (LogState)Volatile.Read(ref _state);

    /// <summary>Appends a producer's records: <see cref="AppendAsLeader(Memory{byte}, int, AppendOrigin)"/> with <see cref="AppendOrigin.Client"/>.</summary>
    public AppendResult AppendAsLeader(Memory<byte> records, int leaderEpoch) => AppendAsLeader(records, leaderEpoch, AppendOrigin.Client);

    /// <summary>
    /// Validates <paramref name="records"/> (one partition's bytes from a Produce request), then under the
    /// append lock assigns offsets by rewriting each batch's base offset in place, stamps the leader epoch
    /// and, for LogAppendTime topics, the broker's time, and writes the bytes to the active segment. The
    /// caller's buffer is modified; compressed batches are otherwise stored exactly as sent. Nothing is
    /// stored when any batch fails. The first append in a new leader epoch records where that epoch starts in the
    /// <c>leader-epoch-checkpoint</c>, synced before the records are written (see <see cref="AssignEpochStart"/>).
    /// </summary>
    public AppendResult AppendAsLeader(Memory<byte> records, int leaderEpoch, AppendOrigin origin)
    {
        var config = Config;
        var nowMs = NowMs();
        var stateError = StateError();
        if (stateError != ErrorCode.None)
        {
            return AppendResult.Failed(stateError, $"{TopicPartition} is not available ({State})", LogStartOffset);
        }

        var options = new RecordValidationOptions(config.MaxMessageBytes, config.MaxUncompressedBatchBytes,
            FromClient: origin == AppendOrigin.Client, config.MessageTimestampType, nowMs,
            config.MessageTimestampBeforeMaxMs, config.MessageTimestampAfterMaxMs)
        {
            RequireKeys = config.Compact,
        };
        var validation = RecordBatchValidator.Validate(records, options);
        if (!validation.IsValid)
        {
            return RefusedByValidation(validation);
        }

        if (records.Length > config.SegmentBytes)
        {
            return AppendResult.Failed(ErrorCode.RecordListTooLarge,
                $"{records.Length} bytes of records exceed segment.bytes={config.SegmentBytes}", LogStartOffset);
        }

        var logAppendTime = StampTimestampsAndEpoch(records.Span, validation.Batches, config.MessageTimestampType, nowMs, leaderEpoch);
        var appendMaxTimestamp = logAppendTime >= 0 ? logAppendTime : validation.MaxTimestamp;
        var offsetsUsed = 0L;
        foreach (var batch in validation.Batches)
        {
            offsetsUsed += batch.LastOffsetDelta + 1L;
        }

        long firstOffset;
        long logEndOffset;
        lock (_appendLock)
        {
            stateError = StateError();
            if (stateError != ErrorCode.None)
            {
                return AppendResult.Failed(stateError, $"{TopicPartition} is not available ({State})", LogStartOffset);
            }

            firstOffset = _logEndOffset;
            logEndOffset = firstOffset + offsetsUsed;
            try
            {
                var segment = MaybeRoll(config, records.Length, appendMaxTimestamp, logEndOffset - 1, nowMs, out var rollError);
                if (segment is null)
                {
                    return AppendResult.Failed(ErrorCode.KafkaStorageError, $"cannot roll {TopicPartition} to a new segment: {rollError}", LogStartOffset);
                }

                var span = records.Span;
                var offset = firstOffset;
                foreach (var batch in validation.Batches)
                {
                    RecordBatch.SetBaseOffset(span[batch.Position..], offset);
                    offset += batch.LastOffsetDelta + 1L;
                }

                if (leaderEpoch >= 0)
                {
                    AssignEpochStart(leaderEpoch, firstOffset);
                }

                segment.Append(span, validation.Batches, config.IndexIntervalBytes);
            }
            catch (IOException e)
            {
                _host.OnStorageFailure(this, e);
                return AppendResult.Failed(ErrorCode.KafkaStorageError, $"I/O error appending to {TopicPartition}: {e.Message}", LogStartOffset);
            }

            Volatile.Write(ref _logEndOffset, logEndOffset);
        }

        NotifyAppended(logEndOffset);
        if (logEndOffset - RecoveryPoint >= config.FlushMessages)
        {
            FlushUpTo(logEndOffset);
        }

        return new AppendResult(ErrorCode.None, null, -1, -1, firstOffset, logEndOffset - 1, logAppendTime, LogStartOffset, validation.RecordCount);
    }

    /// <summary>
    /// A batch the validator refused. Records without a key on a compacted topic are answered in Kafka's words
    /// (LogValidator.validateKey and processRecordErrors), which clients and their tests match: one record error per
    /// such record, and a message that counts them and shows the first three.
    /// </summary>
    private AppendResult RefusedByValidation(RecordValidationResult validation)
    {
        var failed = AppendResult.Failed(validation.ErrorCode, validation.ErrorMessage ?? validation.ErrorCode.ToString(), LogStartOffset,
            validation.ErrorBatchIndex, validation.ErrorRecordIndex);
        if (validation.KeylessRecords is { } keyless)
        {
            var message = $"Compacted topic cannot accept message without key in topic partition {TopicPartition}";
            var errors = Array.ConvertAll(keyless, index => new RecordError(index, message));
            var shown = string.Join(", ", errors.Take(3).Select(e => $"RecordError(batchIndex={e.BatchIndex}, message='{e.Message}')"));
            return failed with
            {
                ErrorMessage = $"One or more records have been rejected due to {errors.Length} record errors in total, and only showing the first three errors at most: [{shown}]",
                RecordErrors = errors,
            };
        }

        return validation.ErrorCode == ErrorCode.InvalidTimestamp && validation.ErrorRecordIndex >= 0
            ? failed with { RecordErrors = [new RecordError(validation.ErrorRecordIndex, validation.ErrorMessage)] }
            : failed;
    }

    /// <summary>
    /// Outside the lock: none of this depends on offsets. Sets each batch's maxTimestamp to what its records
    /// hold (CreateTime) or to now (LogAppendTime), as Kafka's validator does, recomputing the CRC only when a
    /// covered field changed, and stamps the partition leader epoch (outside the CRC).
    /// </summary>
    private static long StampTimestampsAndEpoch(Span<byte> records, RecordBatchFacts[] batches, TimestampType timestampType, long nowMs, int leaderEpoch)
    {
        foreach (var batch in batches)
        {
            var span = records.Slice(batch.Position, batch.SizeInBytes);
            var maxTimestamp = timestampType == TimestampType.LogAppendTime ? nowMs : batch.MaxTimestamp;
            RecordBatch.SetMaxTimestamp(span, timestampType, maxTimestamp);
            RecordBatch.SetPartitionLeaderEpoch(span, leaderEpoch);
        }

        return timestampType == TimestampType.LogAppendTime ? nowMs : RecordBatch.NoTimestamp;
    }

    /// <summary>
    /// Under the append lock: the segment this append goes to, after rolling if Kafka's rule says so. Null when the new
    /// segment's files cannot be created for want of file handles or space: that append fails, nothing stored is
    /// touched and the data directory stays online; the next append tries again.
    /// </summary>
    private LogSegment? MaybeRoll(LogConfig config, int appendBytes, long appendMaxTimestamp, long appendLastOffset, long nowMs, out string? error)
    {
        error = null;
        var segments = _segments;
        var active = segments[^1];
        if (!active.ShouldRoll(config, appendBytes, appendMaxTimestamp, appendLastOffset, nowMs))
        {
            return active;
        }

        var baseOffset = _logEndOffset;
        LogSegment segment;
        try
        {
            segment = LogSegment.Create(Dir, baseOffset, config, nowMs);
        }
        catch (IOException e) when (StorageErrors.IsOutOfResources(e))
        {
            LogSegment.DeleteFilesQuietly(Dir, baseOffset);
            StorageLog.RollFailed(_logger, TopicPartition.Topic, TopicPartition.Partition, baseOffset, e.Message);
            error = e.Message;
            return null;
        }

        active.OnBecameInactive();
        Volatile.Write(ref _segments, [.. segments, segment]);
        // Kafka flushes the finished segments soon after a roll (not here, under the lock): FlushDirty does it.
        Volatile.Write(ref _pendingRollFlushOffset, baseOffset);
        StorageLog.SegmentRolled(_logger, TopicPartition.Topic, TopicPartition.Partition, baseOffset);
        return segment;
    }

    private void NotifyAppended(long logEndOffset)
    {
        var listener = _host.AppendListener;
        if (listener is null)
        {
            return;
        }

        try
        {
            listener.OnAppend(TopicPartition, logEndOffset);
        }
        catch (Exception e)
        {
            StorageLog.AppendListenerFailed(_logger, TopicPartition.Topic, TopicPartition.Partition, e);
        }
    }

    private ErrorCode StateError() => State switch
    {
        LogState.Online => ErrorCode.None,
        LogState.Offline => ErrorCode.KafkaStorageError,
        LogState.Deleted => ErrorCode.UnknownTopicOrPartition,
        _ => ErrorCode.NotLeaderOrFollower,
    };

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
