using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Rill.Storage;

/// <summary>
/// A segment's sparse <c>.timeindex</c>: timestamp (int64) -> relative offset (int32), big-endian, 12 bytes an
/// entry. An entry is added only when the segment's largest timestamp grew, pointing at the last offset of
/// the batch that first reached it, so every record before that batch is older. Same concurrency rules as
/// <see cref="OffsetIndex"/>.
/// </summary>
internal sealed class TimeIndex : IDisposable
{
    public const int EntrySize = 12;

    private readonly SafeFileHandle _file;
    private Entry[] _entries;
    private int _count;

    private TimeIndex(string path, long baseOffset, int maxEntries, SafeFileHandle file, Entry[] entries, int count)
    {
        Path = path;
        BaseOffset = baseOffset;
        MaxEntries = maxEntries;
        _file = file;
        _entries = entries;
        _count = count;
    }

    public string Path { get; private set; }

    public long BaseOffset { get; }

    public int MaxEntries { get; }

    public int Count => Volatile.Read(ref _count);

    public bool IsFull => Count >= MaxEntries;

    public static TimeIndex Create(string path, long baseOffset, int maxIndexBytes) =>
        new(path, baseOffset, maxIndexBytes / EntrySize, SegmentFiles.OpenForWrite(path, FileMode.Create), new Entry[16], 0);

    public static TimeIndex Load(string path, long baseOffset, int maxIndexBytes, long upperBoundOffset)
    {
        if (!File.Exists(path))
        {
            throw new LogCorruptionException(CorruptionReason.IndexMissing, $"time index {path} is missing");
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length % EntrySize != 0)
        {
            throw new LogCorruptionException(CorruptionReason.IndexSizeInvalid,
                $"time index {path} has {bytes.Length} bytes, not a multiple of {EntrySize}");
        }

        var count = bytes.Length / EntrySize;
        var entries = new Entry[Math.Max(count, 16)];
        for (var i = 0; i < count; i++)
        {
            var timestamp = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(i * EntrySize));
            var relative = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * EntrySize + 8));
            if (relative < 0 || (i > 0 && (timestamp <= entries[i - 1].Timestamp || relative < entries[i - 1].RelativeOffset)))
            {
                throw new LogCorruptionException(CorruptionReason.IndexNotAscending,
                    $"time index {path} entry {i} ({timestamp} -> {relative}) does not ascend");
            }

            if (baseOffset + relative >= upperBoundOffset)
            {
                throw new LogCorruptionException(CorruptionReason.IndexPastEndOfLog,
                    $"time index {path} entry {i} points at offset {baseOffset + relative}, past the segment's end");
            }

            entries[i] = new Entry(timestamp, relative);
        }

        return new TimeIndex(path, baseOffset, maxIndexBytes / EntrySize, SegmentFiles.OpenForWrite(path, FileMode.Open), entries, count);
    }

    /// <summary>
    /// Adds (timestamp, offset) when the timestamp is newer than the last entry's. <paramref name="evenIfFull"/>
    /// lets the final entry of a segment being rolled or closed in, as Kafka does, so its largest timestamp survives a restart.
    /// </summary>
    public void MaybeAppend(long timestamp, long offset, bool evenIfFull)
    {
        var count = _count;
        var relative = offset - BaseOffset;

        // An empty segment has no timestamp to index; an entry for it would point at an offset the segment lacks.
        if (timestamp < 0 || (!evenIfFull && count >= MaxEntries) || relative is < 0 or > int.MaxValue
            || (count > 0 && (timestamp <= _entries[count - 1].Timestamp || relative < _entries[count - 1].RelativeOffset)))
        {
            return;
        }

        Span<byte> bytes = stackalloc byte[EntrySize];
        BinaryPrimitives.WriteInt64BigEndian(bytes, timestamp);
        BinaryPrimitives.WriteInt32BigEndian(bytes[8..], (int)relative);
        RandomAccess.Write(_file, bytes, (long)count * EntrySize);
        var entries = _entries;
        if (count == entries.Length)
        {
            var larger = new Entry[entries.Length * 2];
            entries.AsSpan().CopyTo(larger);
            larger[count] = new Entry(timestamp, (int)relative);
            Volatile.Write(ref _entries, larger);
        }
        else
        {
            entries[count] = new Entry(timestamp, (int)relative);
        }

        Volatile.Write(ref _count, count + 1);
    }

    /// <summary>The offset of the last entry with a timestamp at or below <paramref name="timestamp"/>, or the base offset.</summary>
    public long Lookup(long timestamp)
    {
        var count = Volatile.Read(ref _count);
        var entries = Volatile.Read(ref _entries);
        int low = 0, high = count - 1, found = -1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            if (entries[middle].Timestamp <= timestamp)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return found < 0 ? BaseOffset : BaseOffset + entries[found].RelativeOffset;
    }

    /// <summary>The newest (timestamp, offset), or (-1, base offset) when empty.</summary>
    public (long Timestamp, long Offset) LastEntry
    {
        get
        {
            var count = Volatile.Read(ref _count);
            var entries = Volatile.Read(ref _entries);
            return count == 0 ? (-1, BaseOffset) : (entries[count - 1].Timestamp, BaseOffset + entries[count - 1].RelativeOffset);
        }
    }

    public void Reset()
    {
        RandomAccess.SetLength(_file, 0);
        Volatile.Write(ref _count, 0);
    }

    /// <summary>Drops the entries naming <paramref name="offset"/> or a later one (the segment was cut there).</summary>
    public void TruncateTo(long offset)
    {
        var count = _count;
        while (count > 0 && BaseOffset + _entries[count - 1].RelativeOffset >= offset)
        {
            count--;
        }

        RandomAccess.SetLength(_file, (long)count * EntrySize);
        Volatile.Write(ref _count, count);
    }

    public void Flush() => RandomAccess.FlushToDisk(_file);

    public void MoveTo(string path)
    {
        File.Move(Path, path, overwrite: true);
        Path = path;
    }

    public void Dispose() => _file.Dispose();

    private readonly record struct Entry(long Timestamp, int RelativeOffset);
}
