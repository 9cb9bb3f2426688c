using System.Buffers;
using Microsoft.Win32.SafeHandles;
using Rill.Common;
using Rill.Protocol.Records;

namespace Rill.Storage;

/// <summary>
/// One <c>&lt;base offset&gt;.log</c> file and its two indexes. Appends come from the log's append lock only;
/// reads are lock-free and bounded by <see cref="Size"/>, which is published after the bytes are written.
/// </summary>
internal sealed class LogSegment : IDisposable
{
    /// <summary>Header walks read this much at a time: two default index intervals, so a fetch usually finds its batch in one read.</summary>
    private const int ScanWindowBytes = 8 * 1024;

    /// <summary>Recovery reads the file sequentially in large pieces.</summary>
    private const int RecoveryWindowBytes = 1024 * 1024;

    private readonly SafeFileHandle _log;

    /// <summary>
    /// References to <see cref="_log"/>: the segment's own (dropped by <see cref="Dispose"/>) and one per file region a
    /// Fetch has not written yet. The file closes when the last goes.
    /// </summary>
    private int _fileReferences = 1;
    private int _disposed;
    private int _size;
    private int _bytesSinceLastIndexEntry;
    private long _maxTimestampSoFar = RecordBatch.NoTimestamp;
    private long _offsetOfMaxTimestampSoFar;
    private long _rollingBasedTimestamp = RecordBatch.NoTimestamp;

    /// <summary>
    /// The positions <see cref="TruncateTo"/> cut the file at, oldest first; replaced, never modified in place. A
    /// lock-free read notes how many there were before it looked and, once it has its bytes, whether a later cut fell
    /// below the end of what it read: those bytes may then be gone or overwritten by later appends, and it reads again.
    /// </summary>
    private long[] _cuts = [];

    private LogSegment(string logPath, long baseOffset, SafeFileHandle log, int size, long createdMs)
    {
        BaseOffset = baseOffset;
        LogPath = logPath;
        _log = log;
        _size = size;
        CreatedMs = createdMs;
        _offsetOfMaxTimestampSoFar = baseOffset;
    }

    public long BaseOffset { get; }

    public string LogPath { get; private set; }

    /// <summary>Set by <see cref="Create"/>, <see cref="LoadIndexes"/> or <see cref="Recover"/> before the segment is used.</summary>
    public OffsetIndex OffsetIndex { get; private set; } = null!;

    public TimeIndex TimeIndex { get; private set; } = null!;

    /// <summary>Bytes readers may read.</summary>
    public int Size => Volatile.Read(ref _size);

    /// <summary>When this process created or opened the segment: the fallback for time-based rolling.</summary>
    public long CreatedMs { get; }

    /// <summary>The largest batch timestamp so far, or -1.</summary>
    public long MaxTimestampSoFar => Volatile.Read(ref _maxTimestampSoFar);

    /// <summary>Last offset of the first batch that reached <see cref="MaxTimestampSoFar"/>.</summary>
    public long OffsetOfMaxTimestampSoFar => Volatile.Read(ref _offsetOfMaxTimestampSoFar);

    /// <summary>The first batch's maxTimestamp, or -1 (what time-based rolling and <c>max.compaction.lag.ms</c> measure from).</summary>
    public long FirstBatchMaxTimestamp => Volatile.Read(ref _rollingBasedTimestamp);

    /// <summary>The log file's modification time in Unix milliseconds (a file attribute, not the broker's clock).</summary>
    public long LastModifiedMs => new DateTimeOffset(File.GetLastWriteTimeUtc(LogPath)).ToUnixTimeMilliseconds();

    public bool IsFull => OffsetIndex.IsFull || TimeIndex.IsFull;

    /// <summary>How many times <see cref="TruncateTo"/> cut this segment; a reader notes it before it looks.</summary>
    public int CutCount => Volatile.Read(ref _cuts).Length;

    /// <summary>
    /// Whether a cut made after the first <paramref name="cutCount"/> fell below <paramref name="endPosition"/>: bytes a
    /// reader read below that end since it noted <paramref name="cutCount"/> may not be the segment's any more.
    /// </summary>
    public bool CutBelow(int cutCount, long endPosition)
    {
        // The bytes were read before this: keep the load of the cut list after them (an acquire alone would not).
        Interlocked.MemoryBarrier();
        var cuts = Volatile.Read(ref _cuts);
        for (var i = cutCount; i < cuts.Length; i++)
        {
            if (cuts[i] < endPosition)
            {
                return true;
            }
        }

        return false;
    }

    public static LogSegment Create(string dir, long baseOffset, LogConfig config, long nowMs) => Create(dir, baseOffset, config, nowMs, "");

    /// <summary>A new, empty segment whose three files carry <paramref name="fileSuffix"/> after their usual names (the cleaner's <c>.cleaned</c>).</summary>
    public static LogSegment Create(string dir, long baseOffset, LogConfig config, long nowMs, string fileSuffix)
    {
        var logPath = SegmentFiles.LogPath(dir, baseOffset) + fileSuffix;
        var log = SegmentFiles.OpenForWrite(logPath, FileMode.Create);
        var segment = new LogSegment(logPath, baseOffset, log, 0, nowMs);
        try
        {
            segment.OffsetIndex = OffsetIndex.Create(SegmentFiles.IndexPath(dir, baseOffset) + fileSuffix, baseOffset, config.SegmentIndexBytes);
            segment.TimeIndex = TimeIndex.Create(SegmentFiles.TimeIndexPath(dir, baseOffset) + fileSuffix, baseOffset, config.SegmentIndexBytes);
        }
        catch
        {
            segment.Dispose();
            throw;
        }

        return segment;
    }

    /// <summary>
    /// Removes what a failed <see cref="Create"/> left at <paramref name="baseOffset"/> (its handles are already closed).
    /// Best effort: a leftover empty segment at the log end is harmless, and the next <see cref="Create"/> truncates it.
    /// </summary>
    public static void DeleteFilesQuietly(string dir, long baseOffset)
    {
        foreach (var path in new[] { SegmentFiles.LogPath(dir, baseOffset), SegmentFiles.IndexPath(dir, baseOffset), SegmentFiles.TimeIndexPath(dir, baseOffset) })
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // See above: harmless, and overwritten by the next attempt.
            }
        }
    }

    /// <summary>Opens the log file; the caller then loads or rebuilds the indexes.</summary>
    public static LogSegment Open(string dir, long baseOffset, long nowMs)
    {
        var log = SegmentFiles.OpenForWrite(SegmentFiles.LogPath(dir, baseOffset), FileMode.Open);
        var length = RandomAccess.GetLength(log);
        if (length > int.MaxValue)
        {
            log.Dispose();
            throw new IOException($"segment {SegmentFiles.LogPath(dir, baseOffset)} is {length} bytes, past the 2 GiB a segment can index");
        }

        return new LogSegment(SegmentFiles.LogPath(dir, baseOffset), baseOffset, log, (int)length, nowMs);
    }

    /// <summary>
    /// Opens existing index files and checks them against this segment (clean-shutdown path). Throws
    /// <see cref="LogCorruptionException"/> naming the first problem; the caller then calls <see cref="Recover"/>.
    /// </summary>
    public void LoadIndexes(LogConfig config, long upperBoundOffset)
    {
        var dir = Path.GetDirectoryName(LogPath)!;
        var offsetIndex = OffsetIndex.Load(SegmentFiles.IndexPath(dir, BaseOffset), BaseOffset, config.SegmentIndexBytes, Size, upperBoundOffset);
        try
        {
            TimeIndex = TimeIndex.Load(SegmentFiles.TimeIndexPath(dir, BaseOffset), BaseOffset, config.SegmentIndexBytes, upperBoundOffset);
        }
        catch
        {
            offsetIndex.Dispose();
            throw;
        }

        OffsetIndex = offsetIndex;
        var (timestamp, offset) = TimeIndex.LastEntry;
        _maxTimestampSoFar = timestamp;
        _offsetOfMaxTimestampSoFar = offset;
        _rollingBasedTimestamp = ReadFirstBatchMaxTimestamp();
    }

    /// <summary>
    /// Walks the batch headers after the last offset index entry to find the next offset and the newest
    /// timestamp (clean-shutdown path for the active segment; no CRC). Throws <see cref="LogCorruptionException"/>
    /// when the tail does not parse, and the caller recovers the segment instead.
    /// </summary>
    public long ReadNextOffset()
    {
        var (indexedOffset, position) = OffsetIndex.LastEntry;
        var next = BaseOffset;
        long scanned = position;
        var size = Size;
        using var window = new FileWindow(_log, size, ScanWindowBytes);
        while (scanned < size)
        {
            var reason = CheckHeader(window, scanned, out var header);
            if (reason is not null)
            {
                throw new LogCorruptionException(reason.Value, $"{LogPath}: batch at position {scanned} is damaged ({reason})");
            }

            if (header.BaseOffset < next)
            {
                throw new LogCorruptionException(CorruptionReason.OffsetsNotMonotonic,
                    $"{LogPath}: batch at position {scanned} starts at offset {header.BaseOffset}, before {next}");
            }

            if (scanned == position && OffsetIndex.Count > 0 && header.LastOffset != indexedOffset)
            {
                throw new LogCorruptionException(CorruptionReason.IndexMismatch,
                    $"{LogPath}: the last index entry says offset {indexedOffset} at position {position}, the batch there ends at {header.LastOffset}");
            }

            TrackTimestamp(header.MaxTimestamp, header.LastOffset);
            next = header.LastOffset + 1;
            scanned += header.Size;
        }

        if ((OffsetIndex.Count > 0 && indexedOffset >= next) || (TimeIndex.Count > 0 && TimeIndex.LastEntry.Offset >= next))
        {
            throw new LogCorruptionException(CorruptionReason.IndexPastEndOfLog,
                $"{LogPath}: an index entry names an offset at or past the segment's end {next}");
        }

        return next;
    }

    /// <summary>
    /// Rebuilds both indexes by reading every batch and checking its length, magic, offsets and CRC-32C;
    /// truncates the file at the first batch that fails. Returns the next offset after the last good batch.
    /// </summary>
    public RecoveryOutcome Recover(LogConfig config)
    {
        var dir = Path.GetDirectoryName(LogPath)!;
        OffsetIndex ??= OffsetIndex.Create(SegmentFiles.IndexPath(dir, BaseOffset), BaseOffset, config.SegmentIndexBytes);
        TimeIndex ??= TimeIndex.Create(SegmentFiles.TimeIndexPath(dir, BaseOffset), BaseOffset, config.SegmentIndexBytes);
        OffsetIndex.Reset();
        TimeIndex.Reset();
        _maxTimestampSoFar = RecordBatch.NoTimestamp;
        _offsetOfMaxTimestampSoFar = BaseOffset;
        _rollingBasedTimestamp = RecordBatch.NoTimestamp;
        _bytesSinceLastIndexEntry = 0;

        var fileSize = RandomAccess.GetLength(_log);
        var next = BaseOffset;
        long position = 0;
        RecoveryFinding? finding = null;
        using (var window = new FileWindow(_log, fileSize, RecoveryWindowBytes))
        {
            while (position < fileSize)
            {
                var reason = CheckHeader(window, position, out var header);
                string? detail = null;
                if (reason is null)
                {
                    if (header.BaseOffset < next || header.LastOffsetDelta < 0 || header.LastOffset - BaseOffset > int.MaxValue)
                    {
                        reason = CorruptionReason.OffsetsNotMonotonic;
                        detail = $"offsets {header.BaseOffset}..{header.LastOffset} do not follow {next - 1}";
                    }
                    else if (!IsCrcValid(window, position, header))
                    {
                        reason = CorruptionReason.CrcMismatch;
                        detail = $"CRC-32C does not match the stored {header.Crc:x8}";
                    }
                }

                if (reason is not null)
                {
                    finding = new RecoveryFinding(BaseOffset, reason.Value, position,
                        $"{LogPath}: batch at position {position} is damaged ({detail ?? reason.Value.ToString()}); truncated {fileSize - position} bytes");
                    break;
                }

                OnBatchAppended((int)position, header.Size, header.LastOffset, header.MaxTimestamp, config.IndexIntervalBytes);
                next = header.LastOffset + 1;
                position += header.Size;
            }
        }

        var truncated = fileSize - position;
        if (truncated > 0)
        {
            RandomAccess.SetLength(_log, position);
        }

        TimeIndex.MaybeAppend(_maxTimestampSoFar, _offsetOfMaxTimestampSoFar, evenIfFull: true);
        Volatile.Write(ref _size, (int)position);
        return new RecoveryOutcome(next, truncated, finding);
    }

    /// <summary>
    /// Writes already-validated, offset-stamped batches at the end of the file (page cache only) and indexes
    /// them. The caller holds the log's append lock.
    /// </summary>
    public void Append(ReadOnlySpan<byte> records, ReadOnlySpan<RecordBatchFacts> batches, int indexIntervalBytes) =>
        Append(records, batches, batchPositionBase: 0, indexIntervalBytes);

    /// <summary>
    /// <see cref="Append(ReadOnlySpan{byte}, ReadOnlySpan{RecordBatchFacts}, int)"/> of a slice of validated bytes: the
    /// batches' positions count from <paramref name="batchPositionBase"/>, where <paramref name="records"/> starts.
    /// </summary>
    public void Append(ReadOnlySpan<byte> records, ReadOnlySpan<RecordBatchFacts> batches, int batchPositionBase, int indexIntervalBytes)
    {
        var start = _size;
        RandomAccess.Write(_log, records, start);
        Volatile.Write(ref _size, start + records.Length);
        foreach (var batch in batches)
        {
            var position = batch.Position - batchPositionBase;
            var header = records[position..];
            OnBatchAppended(start + position, batch.SizeInBytes, RecordBatch.GetLastOffset(header),
                RecordBatch.GetMaxTimestamp(header), indexIntervalBytes);
        }
    }

    /// <summary>
    /// Removes the batch holding <paramref name="offset"/> (or the first batch after it) and every batch after that,
    /// in place, as Kafka's <c>LogSegment.truncateTo</c>: the cut is recorded first (so lock-free readers can tell their
    /// bytes went), then the size drops, the file is cut, the indexes lose their entries from there and the newest
    /// timestamp is found again. The caller holds the log's append lock and fsyncs. Returns the offset the segment now
    /// ends at (exclusive): the removed batch's base offset, which is below <paramref name="offset"/> when that is not a
    /// batch boundary, or null when no batch reaches <paramref name="offset"/> and nothing changed.
    /// </summary>
    public long? TruncateTo(long offset)
    {
        var size = _size;
        var (_, startPosition) = OffsetIndex.Lookup(offset);
        if (!TryFindBatch(offset, startPosition, size, out var position, out var header))
        {
            return null;
        }

        Volatile.Write(ref _cuts, [.. _cuts, position]);
        Interlocked.MemoryBarrier();
        Volatile.Write(ref _size, (int)position);
        RandomAccess.SetLength(_log, position);
        OffsetIndex.TruncateToPosition((int)position);
        TimeIndex.TruncateTo(header.BaseOffset);
        _bytesSinceLastIndexEntry = 0;
        if (position == 0)
        {
            _rollingBasedTimestamp = RecordBatch.NoTimestamp;
        }

        // The time index's last entry names the newest timestamp up to its offset; batches after it are walked.
        var (timestamp, timestampOffset) = TimeIndex.LastEntry;
        Volatile.Write(ref _offsetOfMaxTimestampSoFar, TimeIndex.Count > 0 ? timestampOffset : BaseOffset);
        Volatile.Write(ref _maxTimestampSoFar, timestamp);
        var scan = TimeIndex.Count > 0 ? OffsetIndex.Lookup(timestampOffset).Position : 0;
        using var window = new FileWindow(_log, position, ScanWindowBytes);
        while (scan < position && CheckHeader(window, scan, out var batch) is null)
        {
            TrackTimestamp(batch.MaxTimestamp, batch.LastOffset);
            scan += batch.Size;
        }

        return header.BaseOffset;
    }

    /// <summary>
    /// Writes whole batches at the end of a segment nobody reads yet (the cleaner's output) and indexes each one.
    /// Throws <see cref="IOException"/> rather than let the segment pass the 2 GiB its positions can address.
    /// </summary>
    public void AppendBatches(ReadOnlySpan<byte> batches, int indexIntervalBytes)
    {
        var start = _size;
        if ((long)start + batches.Length > int.MaxValue)
        {
            throw new IOException($"{LogPath} would grow past 2 GiB");
        }

        RandomAccess.Write(_log, batches, start);
        Volatile.Write(ref _size, start + batches.Length);
        var position = 0;
        while (position < batches.Length)
        {
            var header = batches[position..];
            var size = RecordBatch.GetSizeInBytes(header);
            OnBatchAppended(start + position, size, RecordBatch.GetLastOffset(header), RecordBatch.GetMaxTimestamp(header), indexIntervalBytes);
            position += size;
        }
    }

    /// <summary>A sequential reader of this segment's batches from <paramref name="position"/>, up to the size published now.</summary>
    public SegmentScanner Scan(long position, int windowBytes) => new(_log, LogPath, position, Size, windowBytes);

    /// <summary>
    /// Renames the three files from <c>name + <paramref name="from"/></c> to <c>name + <paramref name="to"/></c>, indexes
    /// first and the log last, so the log's rename is the step that counts; handles stay open.
    /// </summary>
    public void ChangeSuffix(string from, string to)
    {
        OffsetIndex.MoveTo(ReplaceSuffix(OffsetIndex.Path, from, to));
        TimeIndex.MoveTo(ReplaceSuffix(TimeIndex.Path, from, to));
        var logPath = ReplaceSuffix(LogPath, from, to);
        File.Move(LogPath, logPath, overwrite: true);
        LogPath = logPath;
    }

    public void SetLastModifiedMs(long lastModifiedMs) =>
        File.SetLastWriteTimeUtc(LogPath, DateTimeOffset.FromUnixTimeMilliseconds(lastModifiedMs).UtcDateTime);

    /// <summary>Kafka's roll rule for one append of <paramref name="appendBytes"/> bytes.</summary>
    public bool ShouldRoll(LogConfig config, int appendBytes, long appendMaxTimestamp, long appendLastOffset, long nowMs)
    {
        var size = Size;
        if (size == 0)
        {
            return false;
        }

        var waitedMs = _rollingBasedTimestamp >= 0 ? appendMaxTimestamp - _rollingBasedTimestamp : nowMs - CreatedMs;
        return size > config.SegmentBytes - appendBytes
            || waitedMs > config.SegmentMs
            || IsFull
            || appendLastOffset - BaseOffset > int.MaxValue;
    }

    /// <summary>Called when a newer segment takes over: keeps the newest timestamp in the time index for restarts.</summary>
    public void OnBecameInactive() => TimeIndex.MaybeAppend(MaxTimestampSoFar, OffsetOfMaxTimestampSoFar, evenIfFull: true);

    /// <summary>The segment's newest timestamp for retention; the file's modification time when no batch has one (Kafka's rule).</summary>
    public long LargestTimestamp
    {
        get
        {
            var max = MaxTimestampSoFar;
            return max >= 0 ? max : new DateTimeOffset(File.GetLastWriteTimeUtc(LogPath)).ToUnixTimeMilliseconds();
        }
    }

    /// <summary>
    /// Whole batches from the one containing <paramref name="fetchOffset"/>, up to <paramref name="maxBytes"/>
    /// (or the first batch whole when <paramref name="minOneBatch"/>), none at or past <paramref name="limitOffset"/>.
    /// False when no batch in this segment reaches <paramref name="fetchOffset"/>.
    /// </summary>
    public bool TryRead(long fetchOffset, int maxBytes, long limitOffset, bool minOneBatch, out byte[]? rented, out int length, out int recordCount)
    {
        rented = null;
        length = 0;
        recordCount = 0;
        var cutCount = CutCount;
        switch (FindReadStart(fetchOffset, maxBytes, limitOffset, minOneBatch, out var position, out _, out var toRead, out _))
        {
            case ReadStart.NotInSegment:
                ThrowIfCut(cutCount, Size + 1L);
                return false;
            case ReadStart.Nothing:
                ThrowIfCut(cutCount, Size + 1L);
                return true;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(toRead);
        var filled = FileWindow.ReadFully(_log, buffer.AsSpan(0, toRead), position);
        var end = 0;
        while (end <= filled - RecordBatch.HeaderSize)
        {
            var header = buffer.AsSpan(end);
            var batchSize = RecordBatch.GetSizeInBytes(header);
            if (batchSize < RecordBatch.HeaderSize || batchSize > filled - end || RecordBatch.GetLastOffset(header) >= limitOffset)
            {
                break;
            }

            end += batchSize;
            recordCount += RecordBatch.GetRecordsCount(header);
        }

        if (CutBelow(cutCount, position + Math.Max(end, RecordBatch.HeaderSize)))
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw new LogTruncatedException($"{LogPath} was truncated while {fetchOffset} was read from it");
        }

        if (end == 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return true;
        }

        rented = buffer;
        length = end;
        return true;
    }

    /// <summary>
    /// <see cref="TryRead"/> without reading the batches: the same whole batches as a region of the file, found by
    /// reading only their headers, and written from the file when the response is (<see cref="SegmentRegion"/>). The
    /// region holds the file open; the caller disposes it. Throws <see cref="ObjectDisposedException"/> when the
    /// segment closed meanwhile, as the other reads do.
    /// </summary>
    internal bool TryReadRegion(long fetchOffset, int maxBytes, long limitOffset, bool minOneBatch, out SegmentRegion? region, out int recordCount)
    {
        region = null;
        recordCount = 0;
        var cutCount = CutCount;
        switch (FindReadStart(fetchOffset, maxBytes, limitOffset, minOneBatch, out var position, out var first, out var budget, out var size))
        {
            case ReadStart.NotInSegment:
                ThrowIfCut(cutCount, Size + 1L);
                return false;
            case ReadStart.Nothing:
                ThrowIfCut(cutCount, Size + 1L);
                return true;
        }

        // The first batch is in. The offset index names batch starts: every batch before the last such start within
        // the budget and below the limit offset is whole and in, so only the headers after it are read, one positional
        // read each, straight into the stack; the batches themselves are not read here.
        var limit = position + budget;
        var end = position + first.Size;
        var nextOffset = first.LastOffset + 1;
        var jumped = false;
        if (OffsetIndex.LastEntryBelow(limit, limitOffset) is { } entry && entry.Position > end)
        {
            end = entry.Position;
            jumped = true;
        }

        Span<byte> header = stackalloc byte[RecordBatch.HeaderSize];
        while (end <= size - RecordBatch.HeaderSize && FileWindow.ReadFully(_log, header, end) == RecordBatch.HeaderSize)
        {
            if (jumped)
            {
                // The batches before this one end just below its base offset.
                nextOffset = RecordBatch.GetBaseOffset(header);
                jumped = false;
            }

            var batchSize = RecordBatch.GetSizeInBytes(header);
            if (batchSize < RecordBatch.HeaderSize || batchSize > limit - end || RecordBatch.GetLastOffset(header) >= limitOffset)
            {
                break;
            }

            end += batchSize;
            nextOffset = RecordBatch.GetNextOffset(header);
        }

        // Counted from the offsets the batches span: exact but on compacted logs, where removed records' offsets count too.
        recordCount = (int)(nextOffset - first.BaseOffset);
        ThrowIfCut(cutCount, end);
        ObjectDisposedException.ThrowIf(!TryRetainFile(), this);
        region = new SegmentRegion(this, position, (int)(end - position), cutCount);
        return true;
    }

    /// <summary>
    /// Where a read of <see cref="TryRead"/> or <see cref="TryReadRegion"/> starts: the batch holding
    /// <paramref name="fetchOffset"/> (<paramref name="position"/>, <paramref name="first"/>) and the bytes it may take
    /// from there (<paramref name="budget"/>: up to <paramref name="maxBytes"/>, or the first batch whole when
    /// <paramref name="minOneBatch"/>), within the segment's <paramref name="size"/> as of now.
    /// </summary>
    private ReadStart FindReadStart(
        long fetchOffset, int maxBytes, long limitOffset, bool minOneBatch, out long position, out BatchHeader first, out int budget, out int size)
    {
        budget = 0;
        size = Size;
        var (_, startPosition) = OffsetIndex.Lookup(fetchOffset);
        if (!TryFindBatch(fetchOffset, startPosition, size, out position, out first))
        {
            return ReadStart.NotInSegment;
        }

        if (first.LastOffset >= limitOffset)
        {
            return ReadStart.Nothing;
        }

        budget = (int)Math.Min(Math.Max(maxBytes, 0), size - position);
        if (budget < first.Size)
        {
            if (!minOneBatch)
            {
                return ReadStart.Nothing;
            }

            budget = first.Size;
        }

        return ReadStart.Batches;
    }

    /// <summary>
    /// Throws <see cref="LogTruncatedException"/> when a cut after the first <paramref name="cutCount"/> fell below
    /// <paramref name="endPosition"/>: what a read found up to there may be gone.
    /// </summary>
    internal void ThrowIfCut(int cutCount, long endPosition)
    {
        if (CutBelow(cutCount, endPosition))
        {
            throw new LogTruncatedException($"{LogPath} was truncated while it was read");
        }
    }

    /// <summary>Takes a reference that keeps the file open; false once the segment is closed and no region holds it.</summary>
    internal bool TryRetainFile()
    {
        var references = Volatile.Read(ref _fileReferences);
        while (references > 0)
        {
            var seen = Interlocked.CompareExchange(ref _fileReferences, references + 1, references);
            if (seen == references)
            {
                return true;
            }

            references = seen;
        }

        return false;
    }

    internal void ReleaseFile()
    {
        if (Interlocked.Decrement(ref _fileReferences) == 0)
        {
            _log.Dispose();
        }
    }

    /// <summary>Exactly destination.Length bytes at <paramref name="position"/>; a short read means the file lost bytes it had.</summary>
    internal void ReadExactly(Span<byte> destination, long position)
    {
        var filled = FileWindow.ReadFully(_log, destination, position);
        if (filled != destination.Length)
        {
            throw new IOException($"{LogPath}: {filled} of {destination.Length} bytes at {position} could be read");
        }
    }

    /// <summary>The first record at or after <paramref name="startingOffset"/> and below <paramref name="limitOffset"/> with a timestamp at or above <paramref name="timestamp"/>.</summary>
    public TimestampOffset? FindOffsetByTimestamp(long timestamp, long startingOffset, long limitOffset, long maxUncompressedBytes) =>
        CheckedAgainstCuts(() => FindOffsetByTimestampCore(timestamp, startingOffset, limitOffset, maxUncompressedBytes));

    /// <summary>The first record carrying this segment's largest timestamp (ListOffsets -3).</summary>
    public TimestampOffset? FindMaxTimestampRecord(long maxUncompressedBytes) => CheckedAgainstCuts(() => FindMaxTimestampRecordCore(maxUncompressedBytes));

    /// <summary>
    /// A lookup that reads records (timestamps) without the append lock: if any truncation cut this segment meanwhile,
    /// what it found, or the exception it ran into on bytes that changed under it, means nothing; it throws
    /// <see cref="LogTruncatedException"/> instead and the log looks again.
    /// </summary>
    private TimestampOffset? CheckedAgainstCuts(Func<TimestampOffset?> lookup)
    {
        var cutCount = CutCount;
        TimestampOffset? found;
        try
        {
            found = lookup();
        }
        catch (Exception e) when (e is not LogTruncatedException && CutBelow(cutCount, long.MaxValue))
        {
            throw new LogTruncatedException($"{LogPath} was truncated while it was read: {e.Message}");
        }

        ThrowIfCut(cutCount, long.MaxValue);
        return found;
    }

    private TimestampOffset? FindOffsetByTimestampCore(long timestamp, long startingOffset, long limitOffset, long maxUncompressedBytes)
    {
        var size = Size;
        var (_, position) = OffsetIndex.Lookup(Math.Max(TimeIndex.Lookup(timestamp), startingOffset));
        using var window = new FileWindow(_log, size, ScanWindowBytes);
        while (position < size)
        {
            if (CheckHeader(window, position, out var header) is not null || header.BaseOffset >= limitOffset)
            {
                return null;
            }

            if (header.LastOffset >= startingOffset && header.MaxTimestamp >= timestamp && window.TryRead(position, header.Size, out var batch))
            {
                var reader = new RecordReader(batch, maxUncompressedBytes);
                try
                {
                    while (reader.TryReadNext(out var record))
                    {
                        if (record.Offset >= startingOffset && record.Offset < limitOffset && record.Timestamp >= timestamp)
                        {
                            return new TimestampOffset(record.Timestamp, record.Offset);
                        }
                    }
                }
                finally
                {
                    reader.Dispose();
                }
            }

            position += header.Size;
        }

        return null;
    }

    private TimestampOffset? FindMaxTimestampRecordCore(long maxUncompressedBytes)
    {
        var maxTimestamp = MaxTimestampSoFar;
        var offset = OffsetOfMaxTimestampSoFar;
        if (maxTimestamp < 0)
        {
            return null;
        }

        var size = Size;
        var (_, startPosition) = OffsetIndex.Lookup(offset);
        if (!TryFindBatch(offset, startPosition, size, out var position, out var header))
        {
            return null;
        }

        using var window = new FileWindow(_log, size, header.Size);
        if (!window.TryRead(position, header.Size, out var batch))
        {
            return null;
        }

        var reader = new RecordReader(batch, maxUncompressedBytes);
        try
        {
            while (reader.TryReadNext(out var record))
            {
                if (record.Timestamp == maxTimestamp)
                {
                    return new TimestampOffset(record.Timestamp, record.Offset);
                }
            }
        }
        finally
        {
            reader.Dispose();
        }

        return null;
    }

    /// <summary>
    /// Adds to <paramref name="starts"/> where each leader epoch begins in this segment, walking the batch headers (no
    /// CRC): a batch whose partition leader epoch is above the latest one so far starts that epoch, as Kafka's recovery
    /// assigns epochs. Stops at the first header that does not parse (recovery truncated such tails already).
    /// </summary>
    public void CollectEpochStarts(List<EpochEntry> starts)
    {
        var size = Size;
        using var window = new FileWindow(_log, size, RecoveryWindowBytes);
        long position = 0;
        while (position < size && CheckHeader(window, position, out var header) is null)
        {
            if (header.PartitionLeaderEpoch >= 0 && (starts.Count == 0 || header.PartitionLeaderEpoch > starts[^1].Epoch))
            {
                starts.Add(new EpochEntry(header.PartitionLeaderEpoch, header.BaseOffset));
            }

            position += header.Size;
        }
    }

    /// <summary>The partition leader epoch of this segment's last batch, found from its last offset index entry; null when it holds none.</summary>
    public int? LastBatchEpoch()
    {
        var size = Size;
        var (_, position) = OffsetIndex.LastEntry;
        using var window = new FileWindow(_log, size, ScanWindowBytes);
        int? epoch = null;
        long scanned = position;
        while (scanned < size && CheckHeader(window, scanned, out var header) is null)
        {
            epoch = header.PartitionLeaderEpoch;
            scanned += header.Size;
        }

        return epoch;
    }

    public void Flush()
    {
        RandomAccess.FlushToDisk(_log);
        OffsetIndex.Flush();
        TimeIndex.Flush();
    }

    /// <summary>Renames the three files with the <c>.deleted</c> suffix; handles stay open for reads in flight.</summary>
    public void MarkDeleted()
    {
        var deletedLog = LogPath + SegmentFiles.DeletedSuffix;
        File.Move(LogPath, deletedLog, overwrite: true);
        LogPath = deletedLog;
        OffsetIndex.MoveTo(OffsetIndex.Path + SegmentFiles.DeletedSuffix);
        TimeIndex.MoveTo(TimeIndex.Path + SegmentFiles.DeletedSuffix);
    }

    /// <summary>Closes the handles and removes the files.</summary>
    public void DeleteFiles()
    {
        Dispose();
        File.Delete(LogPath);
        File.Delete(OffsetIndex.Path);
        File.Delete(TimeIndex.Path);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            ReleaseFile();
        }

        OffsetIndex?.Dispose();
        TimeIndex?.Dispose();
    }

    private void OnBatchAppended(int position, int size, long lastOffset, long maxTimestamp, int indexIntervalBytes)
    {
        TrackTimestamp(maxTimestamp, lastOffset);
        if (_rollingBasedTimestamp < 0 && position == 0)
        {
            _rollingBasedTimestamp = maxTimestamp;
        }

        // Kafka's rule: an entry once more than index.interval.bytes were written since the last one,
        // for the batch being appended (its last offset -> its position).
        if (_bytesSinceLastIndexEntry > indexIntervalBytes)
        {
            OffsetIndex.Append(lastOffset, position);
            TimeIndex.MaybeAppend(MaxTimestampSoFar, OffsetOfMaxTimestampSoFar, evenIfFull: false);
            _bytesSinceLastIndexEntry = 0;
        }

        _bytesSinceLastIndexEntry += size;
    }

    private void TrackTimestamp(long maxTimestamp, long lastOffset)
    {
        if (maxTimestamp > _maxTimestampSoFar)
        {
            Volatile.Write(ref _offsetOfMaxTimestampSoFar, lastOffset);
            Volatile.Write(ref _maxTimestampSoFar, maxTimestamp);
        }
    }

    private static string ReplaceSuffix(string path, string from, string to)
    {
        if (!path.EndsWith(from, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{path} does not end with '{from}'");
        }

        return string.Concat(path.AsSpan(0, path.Length - from.Length), to);
    }

    private long ReadFirstBatchMaxTimestamp()
    {
        using var window = new FileWindow(_log, Size, RecordBatch.HeaderSize);
        return CheckHeader(window, 0, out var header) is null ? header.MaxTimestamp : RecordBatch.NoTimestamp;
    }

    /// <summary>Walks headers from <paramref name="position"/> to the first batch whose last offset reaches <paramref name="offset"/>.</summary>
    private bool TryFindBatch(long offset, long position, int size, out long found, out BatchHeader header)
    {
        using var window = new FileWindow(_log, size, ScanWindowBytes);
        while (position < size)
        {
            if (CheckHeader(window, position, out header) is not null)
            {
                break;
            }

            if (header.LastOffset >= offset)
            {
                found = position;
                return true;
            }

            position += header.Size;
        }

        found = -1;
        header = default;
        return false;
    }

    /// <summary>The header at <paramref name="position"/> if it is whole and sane (length, magic, within the window), else the reason.</summary>
    internal static CorruptionReason? CheckHeader(FileWindow window, long position, out BatchHeader header)
    {
        header = default;
        if (!window.TryRead(position, RecordBatch.HeaderSize, out var bytes))
        {
            return CorruptionReason.TruncatedBatch;
        }

        var batchLength = RecordBatch.GetBatchLength(bytes);
        if (batchLength < RecordBatch.MinBatchLength)
        {
            return CorruptionReason.BatchLengthTooSmall;
        }

        if (RecordBatch.GetMagic(bytes) != RecordBatch.CurrentMagic)
        {
            return CorruptionReason.InvalidMagic;
        }

        if (position + RecordBatch.LogOverhead + batchLength > window.Limit)
        {
            return CorruptionReason.TruncatedBatch;
        }

        header = new BatchHeader(RecordBatch.GetBaseOffset(bytes), batchLength + RecordBatch.LogOverhead,
            RecordBatch.GetLastOffsetDelta(bytes), RecordBatch.GetMaxTimestamp(bytes), RecordBatch.GetCrc(bytes),
            RecordBatch.GetPartitionLeaderEpoch(bytes));
        return null;
    }

    private static bool IsCrcValid(FileWindow window, long position, BatchHeader header)
    {
        // Streamed in window-sized pieces so a large batch needs no buffer of its own.
        var crc = 0u;
        var offset = position + RecordBatch.AttributesOffset;
        var end = position + header.Size;
        while (offset < end)
        {
            var length = (int)Math.Min(RecoveryWindowBytes / 2, end - offset);
            if (!window.TryRead(offset, length, out var bytes))
            {
                return false;
            }

            crc = Crc32C.Append(crc, bytes);
            offset += length;
        }

        return crc == header.Crc;
    }

    internal readonly record struct BatchHeader(long BaseOffset, int Size, int LastOffsetDelta, long MaxTimestamp, uint Crc, int PartitionLeaderEpoch)
    {
        public long LastOffset => BaseOffset + LastOffsetDelta;
    }

    private enum ReadStart
    {
        /// <summary>No batch of this segment reaches the offset: the read goes on in the next segment.</summary>
        NotInSegment,

        /// <summary>The batch is here but nothing may be read (past the limit offset, or over the byte budget).</summary>
        Nothing,

        /// <summary>At least the first batch is read.</summary>
        Batches,
    }
}
