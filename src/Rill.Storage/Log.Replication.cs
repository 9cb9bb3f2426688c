using Rill.Common;
using Rill.Protocol.Records;

namespace Rill.Storage;

/// <summary>What a follower replica and a leader election need of the log: appends of the leader's batches as they are,
/// truncation of what diverged, and the leader epoch cache (kafka: UnifiedLog.appendAsFollower, truncateTo,
/// truncateFullyAndStartAt, LeaderEpochFileCache).</summary>
public sealed partial class Log
{
    /// <summary>
    /// Most bytes a compressed batch from a leader may inflate to while it is checked: the upper bound of the leader's own
    /// limit (<see cref="LogConfig.MaxUncompressedBatchBytes"/>), since the leader accepted the batch under a topic config
    /// that may since have shrunk.
    /// </summary>
    private const long FollowerMaxUncompressedBytes = 1024L * 1024 * 1024;

    /// <summary>The latest leader epoch of the epoch cache, or null when it holds none (kafka: UnifiedLog.latestEpoch).</summary>
    public int? LatestEpoch => _epochCache.LatestEpoch;

    /// <summary>Where each leader epoch starts, oldest first, as the <c>leader-epoch-checkpoint</c> holds them (a copy).</summary>
    public IReadOnlyList<EpochEntry> LeaderEpochEntries => [.. _epochCache.Entries];

    /// <summary>
    /// Appends batches a leader sent (a follower's Fetch response), keeping the offsets, partition leader epochs and
    /// timestamps the leader gave them; nothing is assigned or stamped. Each batch is checked as a leader append checks
    /// it (length, magic, CRC-32C, attributes, record count against the records, which are parsed and decompressed),
    /// except for <c>max.message.bytes</c> and the timestamp bounds, which the leader applied when it accepted the batch
    /// (Kafka's follower ignores record size too). Offsets must ascend from batch to batch, and the first batch must
    /// start at or after <see cref="LogEndOffset"/>: after it, as Kafka allows, only when the leader's log has a gap
    /// there, which compaction leaves where it removed whole batches. A first batch starting before the log end is
    /// refused with OFFSET_OUT_OF_RANGE and, unlike other failures, <see cref="AppendResult.FirstOffset"/> and
    /// <see cref="AppendResult.LastOffset"/> set to that batch's first and last offsets (Kafka's
    /// UnexpectedAppendOffsetException): a follower whose log is empty may then start it at that batch
    /// (<see cref="TruncateFullyAndStartAt"/>), which is how a leader's log start inside a batch (DeleteRecords) is met.
    /// Batches larger than <c>segment.bytes</c> together are spread over as many new segments as they need; the
    /// segments are created before anything is written, so nothing is stored when any batch or segment fails. A batch
    /// starting a leader epoch the cache does not have yet records it (as <see cref="AssignEpochStartOffset"/>).
    /// </summary>
    public AppendResult AppendAsFollower(ReadOnlyMemory<byte> records)
    {
        var config = Config;
        var nowMs = NowMs();
        var stateError = StateError();
        if (stateError != ErrorCode.None)
        {
            return AppendResult.Failed(stateError, $"{TopicPartition} is not available ({State})", LogStartOffset);
        }

        var options = new RecordValidationOptions(int.MaxValue, FollowerMaxUncompressedBytes, FromClient: false, config.MessageTimestampType,
            nowMs, TimestampBeforeMaxMs: long.MaxValue, TimestampAfterMaxMs: long.MaxValue);
        var validation = RecordBatchValidator.Validate(records, options);
        if (!validation.IsValid)
        {
            return RefusedByValidation(validation);
        }

        var batches = validation.Batches;
        var span = records.Span;
        var lastOffset = -1L;
        for (var i = 0; i < batches.Length; i++)
        {
            var baseOffset = RecordBatch.GetBaseOffset(span[batches[i].Position..]);
            if (baseOffset < 0 || baseOffset <= lastOffset)
            {
                return AppendResult.Failed(ErrorCode.InvalidRecord,
                    $"batch {i} of the append to {TopicPartition} starts at offset {baseOffset}, not after {lastOffset}", LogStartOffset, batchIndex: i);
            }

            lastOffset = baseOffset + batches[i].LastOffsetDelta;
        }

        var firstOffset = RecordBatch.GetBaseOffset(span);
        lock (_appendLock)
        {
            stateError = StateError();
            if (stateError != ErrorCode.None)
            {
                return AppendResult.Failed(stateError, $"{TopicPartition} is not available ({State})", LogStartOffset);
            }

            if (firstOffset < _logEndOffset)
            {
                return new AppendResult(ErrorCode.OffsetOutOfRange,
                    $"the append to {TopicPartition} starts at offset {firstOffset}, before the log end offset {_logEndOffset} (log start {_logStartOffset})",
                    0, -1, firstOffset, firstOffset + batches[0].LastOffsetDelta, -1, _logStartOffset, 0);
            }

            try
            {
                if (!AppendFollowerBatches(span, batches, config, nowMs, out var rollError))
                {
                    return AppendResult.Failed(ErrorCode.KafkaStorageError, $"cannot roll {TopicPartition} to a new segment: {rollError}", LogStartOffset);
                }
            }
            catch (IOException e)
            {
                _host.OnStorageFailure(this, e);
                return AppendResult.Failed(ErrorCode.KafkaStorageError, $"I/O error appending to {TopicPartition}: {e.Message}", LogStartOffset);
            }

            Volatile.Write(ref _logEndOffset, lastOffset + 1);
        }

        NotifyAppended(lastOffset + 1);
        if (lastOffset + 1 - RecoveryPoint >= config.FlushMessages)
        {
            FlushUpTo(lastOffset + 1);
        }

        return new AppendResult(ErrorCode.None, null, -1, -1, firstOffset, lastOffset, -1, LogStartOffset, validation.RecordCount);
    }

    /// <summary>
    /// Records that <paramref name="epoch"/> starts at <paramref name="startOffset"/> in the epoch cache, synced before it
    /// returns (kafka: UnifiedLog.maybeAssignEpochStartOffset, which a new leader calls with its log end offset so that
    /// OffsetForLeaderEpoch answers correctly before it has written anything in its epoch). Nothing changes when the
    /// cache's latest epoch is <paramref name="epoch"/> already, starting no later. An entry past the log end is dropped
    /// by the next truncation or restart, as Kafka does. Throws <see cref="KafkaException"/> with KAFKA_STORAGE_ERROR
    /// when the log is not online or the file cannot be written (its data directory then goes offline).
    /// </summary>
    public void AssignEpochStartOffset(int epoch, long startOffset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(startOffset);
        lock (_appendLock)
        {
            ThrowIfNotOnline("assign a leader epoch in");
            try
            {
                AssignEpochStart(epoch, startOffset);
            }
            catch (IOException e)
            {
                throw StorageFailed("write the leader epoch cache of", e);
            }
        }
    }

    /// <summary>
    /// Kafka's <c>endOffsetForEpoch</c>, what OffsetForLeaderEpoch answers: the largest epoch at most
    /// <paramref name="epoch"/> the cache holds and the offset it ends at, which is the next epoch's start offset, or
    /// <see cref="LogEndOffset"/> for the latest epoch. An epoch below the first entry answers itself with the first
    /// entry's start offset (the records before it are gone, so a follower truncates there, as Kafka's code does); an
    /// epoch above every entry, -1, or an empty cache answers (-1, -1).
    /// </summary>
    public (int Epoch, long EndOffset) EndOffsetForEpoch(int epoch) => _epochCache.EndOffsetFor(epoch, LogEndOffset);

    /// <summary>
    /// Removes every record at or after <paramref name="offset"/> (kafka: UnifiedLog.truncateTo): the segments after the
    /// one holding it are deleted, that one is cut in place before the batch holding <paramref name="offset"/>, their
    /// indexes lose the entries from there, the epoch cache its entries starting there or later, and
    /// <see cref="LogEndOffset"/>, <see cref="HighWatermark"/>, <see cref="RecoveryPoint"/> and (when it was beyond)
    /// <see cref="LogStartOffset"/> come down to the new end. <paramref name="offset"/> should be a batch boundary or the
    /// log end, as divergence points and high watermarks are; inside a batch, the whole batch goes (a warning is logged)
    /// and the log ends at the batch's base offset: records the caller wanted kept are fetched again, while keeping the
    /// batch would keep records it said must go. At or past the log end nothing is removed but epoch entries past the
    /// end (Kafka's rule: an epoch a leader began without writing). Below the first segment, the log is emptied and
    /// starts at <paramref name="offset"/> (<see cref="TruncateFullyAndStartAt"/>).
    /// <para>Appends and other maintenance wait; lock-free readers do not. A read that found batches in a region being
    /// cut reads again, or, for a file region already handed out, fails its copy with <see cref="LogTruncatedException"/>;
    /// reads of deleted segments keep their files until <c>file.delete.delay.ms</c> passes.</para>
    /// <para>Crash safety: the deleted segments' files are renamed <c>.deleted</c> and the directory synced before the
    /// cut, the cut segment is synced before the epoch cache is written, and the data directory's recovery-point
    /// checkpoint is rewritten before the next append. A crash at any point leaves a prefix of the log before the
    /// truncation that still holds everything below <paramref name="offset"/>, which a restart opens as it would any log
    /// (entries of the epoch cache past the end are dropped there).</para>
    /// Throws <see cref="KafkaException"/> with KAFKA_STORAGE_ERROR when the log is not online or an I/O error occurs
    /// (its data directory then goes offline).
    /// </summary>
    public void TruncateTo(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        lock (_maintenanceLock)
        {
            lock (_flushLock)
            {
                lock (_appendLock)
                {
                    ThrowIfNotOnline("truncate");
                    try
                    {
                        TruncateToLocked(offset);
                    }
                    catch (IOException e)
                    {
                        throw StorageFailed("truncate", e);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Removes every record and starts the log again, empty, at <paramref name="offset"/> (kafka:
    /// UnifiedLog.truncateFullyAndStartAt): every segment is deleted (its files renamed <c>.deleted</c>, kept for reads in
    /// flight until <c>file.delete.delay.ms</c> passes), a new segment is created at <paramref name="offset"/>, the epoch
    /// cache is emptied, and the log start, end, high watermark and recovery point all become <paramref name="offset"/>.
    /// For a follower whose log has nothing in common with its leader's (it is behind the leader's log start offset, or
    /// the leader's log starts inside a batch). A crash before the new segment exists leaves an empty log at the old log
    /// start. Throws <see cref="KafkaException"/> with KAFKA_STORAGE_ERROR as <see cref="TruncateTo"/> does.
    /// </summary>
    public void TruncateFullyAndStartAt(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        lock (_maintenanceLock)
        {
            lock (_flushLock)
            {
                lock (_appendLock)
                {
                    ThrowIfNotOnline("truncate");
                    try
                    {
                        TruncateFullyLocked(offset);
                    }
                    catch (IOException e)
                    {
                        throw StorageFailed("truncate", e);
                    }
                }
            }
        }
    }

    /// <summary>Truncations so far (for the cleaner: what it planned before one is not swapped in).</summary>
    internal int Truncations => Volatile.Read(ref _truncations);

    /// <summary>
    /// Under the append lock: records where <paramref name="epoch"/> starts and, when that changed the cache, writes and
    /// syncs <c>leader-epoch-checkpoint</c> before the caller writes the epoch's first batch, so the file never misses an
    /// epoch the log holds (Kafka writes it synchronously here too). This is the one fsync under the append lock, and it
    /// happens once per leader epoch, not per append.
    /// </summary>
    private void AssignEpochStart(int epoch, long startOffset)
    {
        if (!_epochCache.Assign(epoch, startOffset, out var conflicting))
        {
            return;
        }

        if (conflicting)
        {
            StorageLog.EpochEntriesReplaced(_logger, TopicPartition.Topic, TopicPartition.Partition, epoch, startOffset,
                string.Join(", ", _epochCache.Entries.Select(static e => $"{e.Epoch}@{e.StartOffset}")));
        }

        WriteEpochCache();
    }

    /// <summary>
    /// Under the append lock: the log start moved to <paramref name="logStartOffset"/>; the epoch cache follows in memory
    /// only. As in Kafka, the file catches up at its next write (or a clean close): a restart applies the same log start
    /// to what the file holds, so the stale entries it keeps cost nothing, and retention and DeleteRecords pay no fsync.
    /// </summary>
    private void MoveEpochCacheStart(long logStartOffset)
    {
        if (_epochCache.TruncateFromStart(logStartOffset))
        {
            _epochCacheStale = true;
        }
    }

    private void WriteEpochCache()
    {
        _epochCache.Write();
        _epochCacheStale = false;
    }

    /// <summary>
    /// Under the append lock: writes <paramref name="batches"/> (validated, offsets ascending from the log end) to the
    /// active segment while they fit in <c>segment.bytes</c>, then to new segments, each based at its first batch's offset,
    /// as many as they need. The new segments are all created first: false (nothing written) when one cannot be.
    /// </summary>
    private bool AppendFollowerBatches(ReadOnlySpan<byte> span, RecordBatchFacts[] batches, LogConfig config, long nowMs, out string? rollError)
    {
        rollError = null;
        var segments = _segments;
        var active = segments[^1];

        // Runs of consecutive batches, one per segment: the first run goes to the active segment unless Kafka's roll
        // rule says its first batch does not, the others each to a new segment.
        var runEnds = new List<int>();
        var intoActive = !active.ShouldRoll(config, batches[0].SizeInBytes, batches[0].MaxTimestamp, LastOffsetOf(span, batches[0]), nowMs);
        var index = 0;
        while (index < batches.Length)
        {
            var runStart = index;
            long size = runEnds.Count == 0 && intoActive ? active.Size : 0;
            var baseOffset = runEnds.Count == 0 && intoActive ? active.BaseOffset : RecordBatch.GetBaseOffset(span[batches[runStart].Position..]);
            size += batches[index++].SizeInBytes;
            while (index < batches.Length && size + batches[index].SizeInBytes <= config.SegmentBytes
                && LastOffsetOf(span, batches[index]) - baseOffset <= int.MaxValue)
            {
                size += batches[index++].SizeInBytes;
            }

            runEnds.Add(index);
        }

        var created = new List<LogSegment>();
        var first = intoActive ? 1 : 0;
        var runStarts = 0;
        for (var run = 0; run < runEnds.Count; run++)
        {
            if (run >= first)
            {
                var baseOffset = RecordBatch.GetBaseOffset(span[batches[runStarts].Position..]);
                try
                {
                    created.Add(LogSegment.Create(Dir, baseOffset, config, nowMs));
                }
                catch (IOException e) when (StorageErrors.IsOutOfResources(e))
                {
                    LogSegment.DeleteFilesQuietly(Dir, baseOffset);
                    foreach (var segment in created)
                    {
                        segment.Dispose();
                        LogSegment.DeleteFilesQuietly(Dir, segment.BaseOffset);
                    }

                    StorageLog.RollFailed(_logger, TopicPartition.Topic, TopicPartition.Partition, baseOffset, e.Message);
                    rollError = e.Message;
                    return false;
                }
            }

            runStarts = runEnds[run];
        }

        try
        {
            foreach (var batch in batches)
            {
                var epoch = RecordBatch.GetPartitionLeaderEpoch(span[batch.Position..]);
                if (epoch >= 0)
                {
                    AssignEpochStart(epoch, RecordBatch.GetBaseOffset(span[batch.Position..]));
                }
            }

            var target = active;
            var start = 0;
            for (var run = 0; run < runEnds.Count; run++)
            {
                if (run >= first)
                {
                    target.OnBecameInactive();
                    target = created[run - first];
                }

                var position = batches[start].Position;
                var end = runEnds[run];
                var length = batches[end - 1].Position + batches[end - 1].SizeInBytes - position;
                target.Append(span.Slice(position, length), batches.AsSpan(start, end - start), position, config.IndexIntervalBytes);
                start = end;
            }
        }
        catch (IOException)
        {
            // The data directory goes offline (the caller says so); the new segments never joined the log.
            foreach (var segment in created)
            {
                segment.Dispose();
            }

            throw;
        }

        if (created.Count > 0)
        {
            Volatile.Write(ref _segments, [.. segments, .. created]);
            Volatile.Write(ref _pendingRollFlushOffset, created[^1].BaseOffset);
            foreach (var segment in created)
            {
                StorageLog.SegmentRolled(_logger, TopicPartition.Topic, TopicPartition.Partition, segment.BaseOffset);
            }
        }

        return true;
    }

    private void TruncateToLocked(long offset)
    {
        var oldLogEndOffset = _logEndOffset;
        if (offset >= oldLogEndOffset)
        {
            if (_epochCache.TruncateFromEnd(oldLogEndOffset))
            {
                WriteEpochCache();
            }

            return;
        }

        var segments = _segments;
        if (segments[0].BaseOffset > offset)
        {
            TruncateFullyLocked(offset);
            return;
        }

        // Readers bounded by these never reach the batches being removed (each of those ends at or past the offset).
        Volatile.Write(ref _highWatermark, Math.Min(_highWatermark, offset));
        Volatile.Write(ref _logEndOffset, offset);

        var keep = FindSegment(segments, offset) + 1;
        var dueMs = NowMs() + Config.FileDeleteDelayMs;
        for (var i = keep; i < segments.Length; i++)
        {
            segments[i].MarkDeleted();
            _pendingDeletes.Add((segments[i], dueMs));
        }

        if (keep < segments.Length)
        {
            // Before the cut: a crash must not find the cut segment followed by segments that no longer follow it.
            FileSystemSync.FsyncDirectory(Dir);
        }

        var cut = segments[keep - 1];
        var logEndOffset = offset;
        if (cut.TruncateTo(offset) is { } cutAt)
        {
            if (cutAt < offset)
            {
                StorageLog.TruncatedInsideBatch(_logger, TopicPartition.Topic, TopicPartition.Partition, offset, cutAt);
            }

            logEndOffset = Math.Min(offset, cutAt);
        }

        cut.Flush();

        // A new list even when no segment went, so that a read which saw a cut segment starts over (see Log.Read).
        Volatile.Write(ref _segments, segments[..keep]);
        PublishTruncatedEnd(logEndOffset);
        StorageLog.LogTruncated(_logger, TopicPartition.Topic, TopicPartition.Partition, offset, oldLogEndOffset, logEndOffset, segments.Length - keep);
        _host.OnTruncated(this);
    }

    private void TruncateFullyLocked(long offset)
    {
        var segments = _segments;
        var dueMs = NowMs() + Config.FileDeleteDelayMs;
        foreach (var segment in segments)
        {
            segment.MarkDeleted();
            _pendingDeletes.Add((segment, dueMs));
        }

        FileSystemSync.FsyncDirectory(Dir);
        var created = LogSegment.Create(Dir, offset, Config, NowMs());
        FileSystemSync.FsyncDirectory(Dir);
        Volatile.Write(ref _logStartOffset, offset);
        Volatile.Write(ref _highWatermark, offset);
        Volatile.Write(ref _logEndOffset, offset);
        Volatile.Write(ref _segments, [created]);
        Volatile.Write(ref _recoveryPoint, offset);
        Volatile.Write(ref _pendingRollFlushOffset, offset);
        if (_epochCache.Clear() || _epochCacheStale)
        {
            WriteEpochCache();
        }

        Interlocked.Increment(ref _truncations);
        StorageLog.LogTruncatedFully(_logger, TopicPartition.Topic, TopicPartition.Partition, offset, segments.Length);
        _host.OnTruncated(this);
    }

    /// <summary>Under the append lock, after a cut: the log ends at <paramref name="logEndOffset"/>, and what depended on the old end follows.</summary>
    private void PublishTruncatedEnd(long logEndOffset)
    {
        Volatile.Write(ref _logEndOffset, logEndOffset);
        Volatile.Write(ref _highWatermark, Math.Min(_highWatermark, logEndOffset));
        Volatile.Write(ref _logStartOffset, Math.Min(_logStartOffset, logEndOffset));
        Volatile.Write(ref _recoveryPoint, Math.Min(_recoveryPoint, logEndOffset));
        Volatile.Write(ref _pendingRollFlushOffset, Math.Min(_pendingRollFlushOffset, logEndOffset));
        if (_epochCache.TruncateFromEnd(logEndOffset) || _epochCacheStale)
        {
            WriteEpochCache();
        }

        Interlocked.Increment(ref _truncations);
    }

    private void ThrowIfNotOnline(string action)
    {
        var stateError = StateError();
        if (stateError != ErrorCode.None)
        {
            throw new KafkaException(stateError, $"cannot {action} {TopicPartition}: it is not available ({State})");
        }
    }

    private KafkaException StorageFailed(string action, IOException e)
    {
        _host.OnStorageFailure(this, e);
        return new KafkaException(ErrorCode.KafkaStorageError, $"cannot {action} {TopicPartition}: {e.Message}", e);
    }

    private static long LastOffsetOf(ReadOnlySpan<byte> span, RecordBatchFacts batch) =>
        RecordBatch.GetBaseOffset(span[batch.Position..]) + batch.LastOffsetDelta;
}
