using Rill.Common;

namespace Rill.Storage;

public sealed partial class Log
{
    /// <summary>ListOffsets' special timestamps (KIP-734 adds -3), for <see cref="FetchOffsetByTimestamp"/>.</summary>
    public const long LatestTimestamp = -1;

    public const long EarliestTimestamp = -2;

    public const long MaxTimestamp = -3;

    public const long EarliestLocalTimestamp = -4;

    /// <summary>A read that finds its segment closed under it starts over this many times at most.</summary>
    private const int MaxReadAttempts = 3;

    /// <summary>
    /// Whole batches for a Fetch: OFFSET_OUT_OF_RANGE outside [<see cref="LogStartOffset"/>, <see cref="LogEndOffset"/>];
    /// otherwise the batch containing <paramref name="fetchOffset"/> and those after it in the same segment, up to
    /// <paramref name="maxBytes"/> (the first batch whole even if larger when <paramref name="minOneBatch"/>), never a
    /// batch reaching <paramref name="maxOffsetExclusive"/> (the high watermark). An offset compaction removed reads as
    /// the next surviving batch. Positional reads found through the offset index; no lock. The caller disposes the result.
    /// </summary>
    public LogReadResult Read(long fetchOffset, int maxBytes, long maxOffsetExclusive, bool minOneBatch) =>
        Read(fetchOffset, maxBytes, maxOffsetExclusive, minOneBatch, asFileRegion: false);

    /// <summary>
    /// <see cref="Read(long, int, long, bool)"/> for a Fetch response: the same batches, but as a region of the segment
    /// file (only batch headers are read now) whose <see cref="LogReadResult.Records"/> the response writer copies from
    /// the file into its buffer, the one copy between disk and socket. The result keeps the segment's file open until
    /// it is disposed; reading its <c>Span</c> in process reads the bytes into a buffer first.
    /// </summary>
    public LogReadResult ReadFileRegion(long fetchOffset, int maxBytes, long maxOffsetExclusive, bool minOneBatch) =>
        Read(fetchOffset, maxBytes, maxOffsetExclusive, minOneBatch, asFileRegion: true);

    private LogReadResult Read(long fetchOffset, int maxBytes, long maxOffsetExclusive, bool minOneBatch, bool asFileRegion)
    {
        for (var attempt = 1; ; attempt++)
        {
            var logEndOffset = LogEndOffset;
            var segments = Volatile.Read(ref _segments);
            var logStartOffset = LogStartOffset;
            var highWatermark = HighWatermark;
            var stateError = StateError();
            if (stateError != ErrorCode.None)
            {
                return new LogReadResult(stateError, null, 0, 0, logStartOffset, logEndOffset, highWatermark);
            }

            if (fetchOffset < logStartOffset || fetchOffset > logEndOffset)
            {
                return new LogReadResult(ErrorCode.OffsetOutOfRange, null, 0, 0, logStartOffset, logEndOffset, highWatermark);
            }

            var limitOffset = Math.Min(maxOffsetExclusive, logEndOffset);
            try
            {
                for (var i = Math.Max(FindSegment(segments, fetchOffset), 0); i < segments.Length && segments[i].BaseOffset < limitOffset; i++)
                {
                    if (asFileRegion)
                    {
                        if (segments[i].TryReadRegion(fetchOffset, maxBytes, limitOffset, minOneBatch, out var region, out var regionRecords))
                        {
                            return new LogReadResult(ErrorCode.None, region, regionRecords, logStartOffset, logEndOffset, highWatermark);
                        }
                    }
                    else if (segments[i].TryRead(fetchOffset, maxBytes, limitOffset, minOneBatch, out var rented, out var length, out var recordCount))
                    {
                        return new LogReadResult(ErrorCode.None, rented, length, recordCount, logStartOffset, logEndOffset, highWatermark);
                    }
                }
            }
            catch (ObjectDisposedException) when (attempt < MaxReadAttempts && SegmentsChangedSince(segments))
            {
                // The cleaner replaced, or retention deleted, a segment of our snapshot and its file.delete.delay.ms ran
                // out while we read: the current segment list holds the same offsets (or moved the log start past them).
                continue;
            }
            catch (LogTruncatedException) when (attempt < MaxReadAttempts)
            {
                // A truncation cut the segment below what we read: read the log as it is now.
                continue;
            }
            catch (Exception e) when (e is ObjectDisposedException or LogTruncatedException)
            {
                // Retention deleted the segment, or the log closed, while we read: answer as if we had come later.
                var error = StateError();
                return new LogReadResult(error != ErrorCode.None ? error : ErrorCode.OffsetOutOfRange, null, 0, 0, LogStartOffset, LogEndOffset, HighWatermark);
            }
            catch (IOException e)
            {
                _host.OnStorageFailure(this, e);
                return new LogReadResult(ErrorCode.KafkaStorageError, null, 0, 0, logStartOffset, logEndOffset, highWatermark);
            }

            return new LogReadResult(ErrorCode.None, null, 0, 0, logStartOffset, logEndOffset, highWatermark);
        }
    }

    /// <summary>
    /// The first record at or after the log start with a timestamp at or above <paramref name="timestamp"/>, found
    /// through the time index and then the batch's records (decompressed if needed); null when every record is
    /// older. Offsets may reach past the high watermark: ListOffsets filters them, as Kafka's Partition does.
    /// </summary>
    public TimestampOffset? FindOffsetByTimestamp(long timestamp)
    {
        var logStartOffset = LogStartOffset;
        var logEndOffset = LogEndOffset;
        var maxUncompressed = Config.MaxUncompressedBatchBytes;
        return Guarded(() =>
        {
            foreach (var segment in Volatile.Read(ref _segments))
            {
                if (segment.MaxTimestampSoFar >= timestamp)
                {
                    var found = segment.FindOffsetByTimestamp(timestamp, logStartOffset, logEndOffset, maxUncompressed);
                    if (found is not null)
                    {
                        return found;
                    }
                }
            }

            return null;
        });
    }

    /// <summary>The first record carrying the log's largest timestamp (ListOffsets -3, KIP-734), or null for an empty log.</summary>
    public TimestampOffset? FindMaxTimestamp()
    {
        var maxUncompressed = Config.MaxUncompressedBatchBytes;
        return Guarded(() =>
        {
            LogSegment? newest = null;
            foreach (var segment in Volatile.Read(ref _segments))
            {
                if (segment.MaxTimestampSoFar >= 0 && (newest is null || segment.MaxTimestampSoFar > newest.MaxTimestampSoFar))
                {
                    newest = segment;
                }
            }

            return newest?.FindMaxTimestampRecord(maxUncompressed);
        });
    }

    /// <summary>
    /// ListOffsets for one partition: -1 latest (the high watermark, what read_uncommitted consumers see; the
    /// transaction layer substitutes the last stable offset), -2 and -4 earliest (the log start offset), -3 the
    /// largest timestamp, anything else <see cref="FindOffsetByTimestamp"/>. Timestamp -1 for latest and earliest.
    /// </summary>
    public TimestampOffset? FetchOffsetByTimestamp(long timestamp) => timestamp switch
    {
        LatestTimestamp => new TimestampOffset(-1, HighWatermark),
        EarliestTimestamp or EarliestLocalTimestamp => new TimestampOffset(-1, LogStartOffset),
        MaxTimestamp => FindMaxTimestamp(),
        < 0 => null,
        _ => FindOffsetByTimestamp(timestamp),
    };

    private TimestampOffset? Guarded(Func<TimestampOffset?> lookup)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (StateError() != ErrorCode.None)
            {
                return null;
            }

            var segments = Volatile.Read(ref _segments);
            try
            {
                return lookup();
            }
            catch (ObjectDisposedException) when (attempt < MaxReadAttempts && SegmentsChangedSince(segments))
            {
                // A segment the lookup was reading was replaced or deleted meanwhile: look again in the current list.
            }
            catch (LogTruncatedException) when (attempt < MaxReadAttempts)
            {
                // A truncation cut a segment the lookup was reading: look again.
            }
            catch (Exception e) when (e is ObjectDisposedException or LogTruncatedException)
            {
                return null;
            }
            catch (IOException e)
            {
                _host.OnStorageFailure(this, e);
                return null;
            }
        }
    }

    private bool SegmentsChangedSince(LogSegment[] segments) =>
        StateError() == ErrorCode.None && !ReferenceEquals(segments, Volatile.Read(ref _segments));

    /// <summary>Index of the last segment whose base offset is at or below <paramref name="offset"/>, or -1.</summary>
    private static int FindSegment(LogSegment[] segments, long offset)
    {
        int low = 0, high = segments.Length - 1, found = -1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            if (segments[middle].BaseOffset <= offset)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return found;
    }
}
