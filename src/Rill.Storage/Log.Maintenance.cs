using Rill.Common;

namespace Rill.Storage;

public sealed partial class Log
{
    /// <summary>
    /// Moves the log start offset forward (DeleteRecords). Refused with OFFSET_OUT_OF_RANGE beyond the high
    /// watermark; segments entirely below the new start are deleted by the next retention run.
    /// </summary>
    public DeleteRecordsResult DeleteRecordsBefore(long offset)
    {
        lock (_appendLock)
        {
            var stateError = StateError();
            if (stateError != ErrorCode.None)
            {
                return new DeleteRecordsResult(stateError, -1);
            }

            if (offset < 0 || offset > HighWatermark)
            {
                return new DeleteRecordsResult(ErrorCode.OffsetOutOfRange, LogStartOffset);
            }

            if (offset > _logStartOffset)
            {
                Volatile.Write(ref _logStartOffset, offset);
                MoveEpochCacheStart(offset);
            }

            return new DeleteRecordsResult(ErrorCode.None, _logStartOffset);
        }
    }

    /// <summary>
    /// Fsyncs everything below <paramref name="offset"/> that is not yet on disk and advances the recovery point.
    /// Outside the append lock; concurrent callers coalesce (a caller whose offset was covered by another's
    /// fsync returns at once). A truncation (which holds the flush lock) may have lowered the log end since the caller
    /// chose <paramref name="offset"/>: the recovery point never passes the log end.
    /// </summary>
    internal void FlushUpTo(long offset)
    {
        lock (_flushLock)
        {
            offset = Math.Min(offset, LogEndOffset);
            var recoveryPoint = RecoveryPoint;
            if (offset <= recoveryPoint || State is not (LogState.Online or LogState.Closed))
            {
                return;
            }

            try
            {
                var segments = Volatile.Read(ref _segments);
                for (var i = 0; i < segments.Length; i++)
                {
                    var segmentEnd = i + 1 < segments.Length ? segments[i + 1].BaseOffset : long.MaxValue;
                    if (segmentEnd > recoveryPoint && segments[i].BaseOffset < offset)
                    {
                        segments[i].Flush();
                    }
                }
            }
            catch (IOException e)
            {
                _host.OnStorageFailure(this, e);
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            Volatile.Write(ref _recoveryPoint, offset);
            Volatile.Write(ref _lastFlushMs, NowMs());
        }
    }

    /// <summary>Background flush: per <c>flush.messages</c> / <c>flush.ms</c>, and segments finished by a roll.</summary>
    internal void FlushDirty()
    {
        var config = Config;
        var logEndOffset = LogEndOffset;
        var recoveryPoint = RecoveryPoint;
        if (logEndOffset > recoveryPoint
            && (logEndOffset - recoveryPoint >= config.FlushMessages || NowMs() - Volatile.Read(ref _lastFlushMs) >= config.FlushMs))
        {
            FlushUpTo(logEndOffset);
            return;
        }

        var rolledUpTo = Volatile.Read(ref _pendingRollFlushOffset);
        if (rolledUpTo > recoveryPoint)
        {
            FlushUpTo(rolledUpTo);
        }
    }

    /// <summary>
    /// Deletes whole old segments, never the active one: those entirely below the log start offset and, when
    /// <c>cleanup.policy</c> includes delete (as Kafka's <c>deleteOldSegments</c>), those whose newest timestamp is
    /// older than <c>retention.ms</c> and the oldest while the log is over <c>retention.bytes</c>. Their files
    /// (and those of segments the cleaner replaced) are renamed <c>.deleted</c> and removed after
    /// <c>file.delete.delay.ms</c>, so reads in flight finish. Returns the number of segments deleted. The manager runs
    /// it on its logs; the owner of a standalone log (<see cref="Open"/>) calls it itself.
    /// </summary>
    public int RunRetention()
    {
        lock (_maintenanceLock)
        {
            return DeleteOldSegments();
        }
    }

    private int DeleteOldSegments()
    {
        var config = Config;
        var nowMs = NowMs();
        var deleted = 0;
        var due = new List<LogSegment>();
        lock (_appendLock)
        {
            if (State != LogState.Online)
            {
                return 0;
            }

            try
            {
                var segments = _segments;
                long totalSize = 0;
                foreach (var segment in segments)
                {
                    totalSize += segment.Size;
                }

                var overBytes = totalSize - config.RetentionBytes;
                while (deleted < segments.Length - 1)
                {
                    var segment = segments[deleted];
                    string reason;
                    if (segments[deleted + 1].BaseOffset <= _logStartOffset)
                    {
                        reason = $"below the log start offset {_logStartOffset}";
                    }
                    else if (config.Delete && config.RetentionMs >= 0 && nowMs - segment.LargestTimestamp > config.RetentionMs)
                    {
                        reason = $"older than retention.ms={config.RetentionMs}";
                    }
                    else if (config.Delete && config.RetentionBytes >= 0 && overBytes - segment.Size >= 0)
                    {
                        reason = $"log over retention.bytes={config.RetentionBytes}";
                    }
                    else
                    {
                        break;
                    }

                    overBytes -= segment.Size;
                    deleted++;
                    var logStartOffset = Math.Max(_logStartOffset, segments[deleted].BaseOffset);
                    StorageLog.SegmentDeleted(_logger, segment.BaseOffset, TopicPartition.Topic, TopicPartition.Partition,
                        segment.Size, segment.MaxTimestampSoFar, reason, logStartOffset);
                }

                if (deleted > 0)
                {
                    Volatile.Write(ref _segments, segments[deleted..]);
                    Volatile.Write(ref _logStartOffset, Math.Max(_logStartOffset, segments[deleted].BaseOffset));
                    Volatile.Write(ref _highWatermark, Math.Max(_highWatermark, _logStartOffset));
                    MoveEpochCacheStart(_logStartOffset);
                    for (var i = 0; i < deleted; i++)
                    {
                        segments[i].MarkDeleted();
                        _pendingDeletes.Add((segments[i], nowMs + config.FileDeleteDelayMs));
                    }
                }

                foreach (var pending in _pendingDeletes)
                {
                    if (pending.DueMs <= nowMs)
                    {
                        due.Add(pending.Segment);
                    }
                }

                _pendingDeletes.RemoveAll(pending => pending.DueMs <= nowMs);
            }
            catch (IOException e)
            {
                _host.OnStorageFailure(this, e);
            }
        }

        // Removing files costs about a millisecond per MiB: done outside the append lock so producers never
        // wait for it. The maintenance lock still keeps Close from deleting the same files at the same time.
        try
        {
            foreach (var segment in due)
            {
                segment.DeleteFiles();
            }
        }
        catch (IOException e)
        {
            _host.OnStorageFailure(this, e);
        }

        return deleted;
    }

    /// <summary>The data directory failed: refuse everything from now on.</summary>
    internal void MarkOffline() => Interlocked.CompareExchange(ref _state, (int)LogState.Offline, (int)LogState.Online);

    /// <summary>
    /// Stops the log. <paramref name="clean"/>: flush everything and record the active segment's newest
    /// timestamp in its time index first, so a restart needs no scan. Otherwise just close the files, as a crash would.
    /// Waits for a cleaner swap in progress; a cleaning pass sees the state and gives up.
    /// </summary>
    internal void Close(bool clean, LogState finalState)
    {
        lock (_maintenanceLock)
        {
            CloseSegments(clean, finalState);
        }
    }

    private void CloseSegments(bool clean, LogState finalState)
    {
        if (clean && State == LogState.Online)
        {
            lock (_appendLock)
            {
                Volatile.Read(ref _segments)[^1].OnBecameInactive();
                if (_epochCacheStale)
                {
                    WriteEpochCache();
                }
            }

            FlushUpTo(LogEndOffset);
        }

        lock (_appendLock)
        {
            Volatile.Write(ref _state, (int)finalState);
            foreach (var segment in _segments)
            {
                segment.Dispose();
            }

            foreach (var (segment, _) in _pendingDeletes)
            {
                segment.DeleteFiles();
            }

            _pendingDeletes.Clear();
        }
    }
}
