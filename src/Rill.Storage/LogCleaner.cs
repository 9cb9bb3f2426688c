using System.Buffers;
using Microsoft.Extensions.Logging;
using Rill.Common;
using Rill.Protocol.Records;

namespace Rill.Storage;

/// <summary>
/// Compacts logs as Kafka's log cleaner does. One pass over a log: build an offset map (key hash -> latest offset) over
/// the dirty section, from the cleaner checkpoint to the first uncleanable segment or as far as the map holds; then
/// rewrite every closed segment from the start of the log to the end of what the map covers, keeping a record when no
/// later record has its key, and swap the rewritten segments in, several small ones merged into one. Surviving records
/// keep their offsets and batch boundaries; the active segment is never touched.
/// </summary>
/// <remarks>
/// <para>Records are kept untouched, rather than dropped as Kafka does, when they have no key (older data written before
/// the topic was compacted; appends to a compacted topic refuse them) or sit in a control or transactional batch:
/// without a transaction index the cleaner cannot tell an aborted transaction from a committed one, so transactional
/// records neither enter the offset map nor leave the log, which can keep an older value but never loses the latest.</para>
/// <para>A tombstone (null value) is kept, and its batch stamped with a delete horizon of now + <c>delete.retention.ms</c>
/// the first time a pass keeps it (KIP-534); a pass after the horizon drops it. A batch emptied by compaction is dropped,
/// except, as in Kafka, the last batch of an idempotent producer (so its sequence and epoch survive) and the batch that
/// ends the cleanable section, both kept as a bare header.</para>
/// <para>One cleaner serves the manager, one pass at a time; its map and buffers are reused. Memory: the offset map
/// (at most <c>log.cleaner.dedupe.buffer.size</c>), a read window and a write buffer of about 1 MiB each (larger while a
/// larger batch passes), and one map entry per idempotent producer in the log. Nothing is allocated per record.</para>
/// </remarks>
internal sealed class LogCleaner
{
    private const int ReadWindowBytes = 1024 * 1024;
    private const int HeaderWindowBytes = 16 * 1024;
    private const int WriteBufferBytes = 1024 * 1024;

    private readonly OffsetMap _map;
    private readonly RecordBatchFilter _batchFilter = new();
    private readonly ArrayBufferWriter<byte> _output = new(WriteBufferBytes);
    private readonly Dictionary<long, long> _producerLastOffsets = [];
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private bool _producersLoaded;

    public LogCleaner(long dedupeBufferBytes, TimeProvider time, ILogger logger)
    {
        _map = new OffsetMap(dedupeBufferBytes);
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Kafka's <c>cleanableOffsets</c>: the dirty section starts at the cleaner checkpoint (the log start offset when there
    /// is none or it lies outside the log) and ends before the active segment, before any segment holding an offset at or
    /// past the high watermark, and before the first dirty segment with a record younger than <c>min.compaction.lag.ms</c>.
    /// </summary>
    public static LogToClean Plan(Log log, long nowMs)
    {
        var config = log.Config;
        var truncations = log.Truncations;
        var segments = log.Segments;
        var logStartOffset = log.LogStartOffset;
        var highWatermark = log.HighWatermark;
        var checkpoint = log.CleanerCheckpoint;
        var firstDirty = checkpoint < logStartOffset || checkpoint > log.LogEndOffset ? logStartOffset : checkpoint;
        var end = segments.Length - 1;
        long cleanBytes = 0, dirtyBytes = 0;
        var earliestDirtyTimestamp = long.MaxValue;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            var next = segments[i + 1].BaseOffset;
            var dirty = next > firstDirty;
            if (dirty && segments[i].FirstBatchMaxTimestamp > 0)
            {
                earliestDirtyTimestamp = Math.Min(earliestDirtyTimestamp, segments[i].FirstBatchMaxTimestamp);
            }

            if (i >= end)
            {
                continue;
            }

            if (next > highWatermark
                || (dirty && config.MinCompactionLagMs > 0 && segments[i].LargestTimestamp > nowMs - config.MinCompactionLagMs))
            {
                end = i;
                continue;
            }

            if (dirty)
            {
                dirtyBytes += segments[i].Size;
            }
            else
            {
                cleanBytes += segments[i].Size;
            }
        }

        var needCompactionNow = earliestDirtyTimestamp < nowMs - config.MaxCompactionLagMs;
        return new LogToClean(log, segments, firstDirty, end, cleanBytes, dirtyBytes, needCompactionNow, truncations);
    }

    /// <summary>
    /// Cleans <paramref name="plan"/>'s log and moves its cleaner checkpoint; null when the pass stopped early because the
    /// log closed, or retention removed a segment it was rewriting. Throws <see cref="LogCorruptionException"/> for a batch
    /// that fails its CRC or does not parse (nothing of it is swapped in), <see cref="IOException"/> for an I/O failure.
    /// </summary>
    public LogCleaningStats? Clean(LogToClean plan)
    {
        var log = plan.Log;
        var started = _time.GetTimestamp();
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        _producersLoaded = false;
        _producerLastOffsets.Clear();
        try
        {
            var mapEnd = BuildOffsetMap(plan);
            var segments = plan.Segments;
            var count = 0;
            while (count < plan.FirstUncleanableIndex && segments[count].BaseOffset < mapEnd)
            {
                count++;
            }

            var totals = new CleaningTotals();
            foreach (var (start, length) in GroupSegments(log.Config, segments, count))
            {
                if (!CleanGroup(plan, segments.AsSpan(start, length), mapEnd, nowMs, ref totals))
                {
                    return null;
                }
            }

            log.CleanerCheckpoint = mapEnd;
            return new LogCleaningStats(count, totals.Groups, totals.BytesBefore, totals.BytesAfter, totals.RecordsRead,
                totals.RecordsRetained, mapEnd, _time.GetElapsedTime(started));
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException
            || (e is IOException and not LogCorruptionException && log.State != LogState.Online)
            || log.Truncations != plan.Truncations)
        {
            // The log closed or went offline, a segment we were reading was deleted after its delay, or a truncation cut
            // what we were reading (which then looks damaged): the next pass starts over.
            var tp = log.TopicPartition;
            StorageLog.CleaningAborted(_logger, tp.Topic, tp.Partition, e.Message);
            return null;
        }
    }

    /// <summary>Kafka's <c>buildOffsetMap</c>; returns the offset up to which the map covers the log (exclusive).</summary>
    private long BuildOffsetMap(LogToClean plan)
    {
        _map.Clear();
        var log = plan.Log;
        var segments = plan.Segments;
        var firstDirty = plan.FirstDirtyOffset;
        var maxUncompressedBytes = log.Config.MaxUncompressedBatchBytes;
        var mapEnd = firstDirty;
        for (var i = 0; i < plan.FirstUncleanableIndex; i++)
        {
            var segment = segments[i];
            var next = segments[i + 1].BaseOffset;
            if (next <= firstDirty)
            {
                continue;
            }

            var position = segment.BaseOffset < firstDirty ? segment.OffsetIndex.Lookup(firstDirty).Position : 0;
            using (var scanner = segment.Scan(position, ReadWindowBytes))
            {
                while (scanner.MoveNext())
                {
                    ThrowIfStopped(log);
                    if (scanner.LastOffset < firstDirty)
                    {
                        continue;
                    }

                    var batch = CheckedBatch(scanner);
                    if (!RecordBatch.IsControlBatch(batch) && !RecordBatch.IsTransactional(batch)
                        && !AddToMap(batch, firstDirty, maxUncompressedBytes, scanner))
                    {
                        // Full inside this batch: the map covers the log up to the batch before it. Keys of this batch already
                        // in the map name records at or past mapEnd, which the rewrite keeps, so they cannot remove a survivor.
                        if (mapEnd == firstDirty)
                        {
                            throw new InvalidOperationException(
                                $"the batch at offset {scanner.BaseOffset} of {log.TopicPartition} has more distinct keys than the offset map holds ({_map.MaxEntries}); raise log.cleaner.dedupe.buffer.size");
                        }

                        var tp = log.TopicPartition;
                        StorageLog.OffsetMapFull(_logger, tp.Topic, tp.Partition, _map.Count, mapEnd);
                        return mapEnd;
                    }

                    mapEnd = scanner.LastOffset + 1;
                }
            }

            // Offsets between the last batch and the next segment are gaps; the map covers them too.
            mapEnd = next;
        }

        return mapEnd;
    }

    /// <summary>Puts the batch's keys in the map; false when the map filled up before the batch's last key.</summary>
    private bool AddToMap(ReadOnlySpan<byte> batch, long firstDirty, long maxUncompressedBytes, SegmentScanner scanner)
    {
        var reader = new RecordReader(batch, maxUncompressedBytes);
        try
        {
            while (reader.TryReadNext(out var record))
            {
                if (!record.IsKeyNull && record.Offset >= firstDirty && !_map.TryPut(record.Key, record.Offset))
                {
                    return false;
                }
            }

            if (reader.ErrorCode != ErrorCode.None)
            {
                throw Unreadable(scanner, reader.ErrorCode);
            }

            return true;
        }
        finally
        {
            reader.Dispose();
        }
    }

    /// <summary>
    /// Kafka's <c>groupSegmentsBySize</c>: consecutive segments whose sizes before cleaning add up to at most
    /// <c>segment.bytes</c>, whose index entries fit <c>segment.index.bytes</c>, and whose offsets stay within the
    /// 32-bit relative offsets of one index, each group becoming one segment.
    /// </summary>
    private static List<(int Start, int Length)> GroupSegments(LogConfig config, LogSegment[] segments, int count)
    {
        var groups = new List<(int, int)>();
        var i = 0;
        while (i < count)
        {
            var start = i;
            long logBytes = segments[i].Size;
            long indexBytes = (long)segments[i].OffsetIndex.Count * OffsetIndex.EntrySize;
            long timeIndexBytes = (long)segments[i].TimeIndex.Count * TimeIndex.EntrySize;
            i++;
            while (i < count
                && logBytes + segments[i].Size <= config.SegmentBytes
                && indexBytes + ((long)segments[i].OffsetIndex.Count * OffsetIndex.EntrySize) <= config.SegmentIndexBytes
                && timeIndexBytes + ((long)segments[i].TimeIndex.Count * TimeIndex.EntrySize) <= config.SegmentIndexBytes
                && (segments[i].Size == 0 || segments[i + 1].BaseOffset - 1 - segments[start].BaseOffset <= int.MaxValue))
            {
                logBytes += segments[i].Size;
                indexBytes += (long)segments[i].OffsetIndex.Count * OffsetIndex.EntrySize;
                timeIndexBytes += (long)segments[i].TimeIndex.Count * TimeIndex.EntrySize;
                i++;
            }

            groups.Add((start, i - start));
        }

        return groups;
    }

    /// <summary>Rewrites one group into a <c>.cleaned</c> segment and swaps it in; false when the swap was refused.</summary>
    private bool CleanGroup(LogToClean plan, ReadOnlySpan<LogSegment> group, long mapEnd, long nowMs, ref CleaningTotals totals)
    {
        var log = plan.Log;
        var config = log.Config;
        var cleaned = LogSegment.Create(log.Dir, group[0].BaseOffset, config, nowMs, SegmentFiles.CleanedSuffix);
        long bytesBefore = 0;
        try
        {
            var filter = new CleanerRecordFilter(_map, mapEnd);
            _output.ResetWrittenCount();
            foreach (var segment in group)
            {
                bytesBefore += segment.Size;
                using var scanner = segment.Scan(0, ReadWindowBytes);
                while (scanner.MoveNext())
                {
                    ThrowIfStopped(log);
                    CleanBatch(plan, CheckedBatch(scanner), ref filter, nowMs, config, scanner, ref totals);
                    if (_output.WrittenCount >= WriteBufferBytes)
                    {
                        cleaned.AppendBatches(_output.WrittenSpan, config.IndexIntervalBytes);
                        _output.ResetWrittenCount();
                    }
                }
            }

            cleaned.AppendBatches(_output.WrittenSpan, config.IndexIntervalBytes);
            _output.ResetWrittenCount();
            cleaned.OnBecameInactive();
            cleaned.Flush();

            // As Kafka does: the modification time stays the replaced segments' (retention falls back on it).
            cleaned.SetLastModifiedMs(group[^1].LastModifiedMs);
        }
        catch
        {
            DeleteQuietly(cleaned);
            throw;
        }

        var bytesAfter = cleaned.Size;
        if (!log.ReplaceSegments(group, cleaned, plan.Truncations))
        {
            var tp = log.TopicPartition;
            StorageLog.CleaningAborted(_logger, tp.Topic, tp.Partition, "a segment being cleaned was deleted or truncated meanwhile");
            return false;
        }

        var topicPartition = log.TopicPartition;
        StorageLog.SegmentsSwapped(_logger, topicPartition.Topic, topicPartition.Partition, group.Length, group[0].BaseOffset, bytesBefore, bytesAfter);
        totals.Groups++;
        totals.BytesBefore += bytesBefore;
        totals.BytesAfter += bytesAfter;
        return true;
    }

    private void CleanBatch(LogToClean plan, ReadOnlySpan<byte> batch, ref CleanerRecordFilter filter, long nowMs, LogConfig config,
        SegmentScanner scanner, ref CleaningTotals totals)
    {
        var records = RecordBatch.GetRecordsCount(batch);
        totals.RecordsRead += records;
        if (RecordBatch.IsControlBatch(batch) || RecordBatch.IsTransactional(batch))
        {
            _output.Write(batch);
            totals.RecordsRetained += records;
            return;
        }

        var horizon = RecordBatch.GetDeleteHorizonMs(batch);
        filter.RetainTombstones = horizon == RecordBatch.NoTimestamp || nowMs < horizon;
        var result = _batchFilter.FilterTo(batch, ref filter, nowMs + config.DeleteRetentionMs, config.MaxUncompressedBatchBytes, _output);
        totals.RecordsRetained += result.RecordsRetained;
        switch (result.Outcome)
        {
            case RecordFilterOutcome.Corrupt:
                throw Unreadable(scanner, result.ErrorCode);
            // Kafka keeps an emptied batch's header when it is an idempotent producer's last, and when it ends where the
            // cleanable section ends, so a reader or follower fetching there still learns the offsets before the next segment.
            case RecordFilterOutcome.Emptied when RecordBatch.GetNextOffset(batch) == plan.FirstUncleanableOffset
                || (RecordBatch.GetProducerId(batch) >= 0 && IsLastBatchOfProducer(plan, RecordBatch.GetProducerId(batch), RecordBatch.GetLastOffset(batch))):
                RecordBatchFilter.WriteEmptyBatch(batch, _output);
                break;
        }
    }

    /// <summary>Whether this batch is its producer's last data batch in the log, found by one header walk per pass when first needed.</summary>
    private bool IsLastBatchOfProducer(LogToClean plan, long producerId, long lastOffset)
    {
        if (!_producersLoaded)
        {
            foreach (var segment in plan.Segments)
            {
                using var scanner = segment.Scan(0, HeaderWindowBytes);
                while (scanner.MoveNext())
                {
                    var header = scanner.Header;
                    var id = RecordBatch.GetProducerId(header);
                    if (id >= 0 && !RecordBatch.IsControlBatch(header))
                    {
                        _producerLastOffsets[id] = scanner.LastOffset;
                    }
                }
            }

            _producersLoaded = true;
        }

        return _producerLastOffsets.TryGetValue(producerId, out var last) && last == lastOffset;
    }

    private static ReadOnlySpan<byte> CheckedBatch(SegmentScanner scanner)
    {
        var batch = scanner.Batch;
        if (!RecordBatch.IsCrcValid(batch))
        {
            throw new LogCorruptionException(CorruptionReason.CrcMismatch,
                $"batch at offset {scanner.BaseOffset} (position {scanner.Position}) fails its CRC; the cleaner will not rewrite it");
        }

        return batch;
    }

    private static LogCorruptionException Unreadable(SegmentScanner scanner, ErrorCode errorCode) =>
        new(CorruptionReason.RecordsUnreadable,
            $"the records of the batch at offset {scanner.BaseOffset} (position {scanner.Position}) do not parse ({errorCode}); the cleaner will not rewrite it");

    private static void ThrowIfStopped(Log log)
    {
        if (log.State != LogState.Online)
        {
            throw new OperationCanceledException($"{log.TopicPartition} is {log.State}");
        }
    }

    private static void DeleteQuietly(LogSegment cleaned)
    {
        try
        {
            cleaned.DeleteFiles();
        }
        catch (IOException)
        {
            // The partition directory is gone (the log was deleted) or failing; a leftover .cleaned file is removed at the next load.
        }
    }

    private struct CleaningTotals
    {
        public int Groups;
        public long BytesBefore;
        public long BytesAfter;
        public long RecordsRead;
        public long RecordsRetained;
    }

    /// <summary>Kafka's <c>shouldRetainRecord</c>, with keyless records kept (see the class remarks).</summary>
    private struct CleanerRecordFilter(OffsetMap map, long mapEnd) : IRecordFilter
    {
        /// <summary>The batch has no delete horizon yet, or it has not passed.</summary>
        public bool RetainTombstones { get; set; }

        public readonly bool Retain(in RecordView record)
        {
            if (record.Offset >= mapEnd || record.IsKeyNull)
            {
                return true;
            }

            return map.Get(record.Key) <= record.Offset && (!record.IsValueNull || RetainTombstones);
        }
    }
}
