using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Rill.Storage;

/// <summary>
/// A segment's sparse <c>.index</c>: relative offset (int32) -> byte position (int32), big-endian, 8 bytes an
/// entry, ascending. Entries live in memory for lock-free lookups and are appended to the file through the
/// page cache; the file is not preallocated, so its length is always a whole number of entries. One writer
/// (the log's append lock); readers see entries published by a volatile count.
/// </summary>
internal sealed class OffsetIndex : IDisposable
{
    public const int EntrySize = 8;

    private readonly SafeFileHandle _file;
    private long[] _entries;
    private int _count;

    private OffsetIndex(string path, long baseOffset, int maxEntries, SafeFileHandle file, long[] entries, int count)
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

    public static OffsetIndex Create(string path, long baseOffset, int maxIndexBytes) =>
        new(path, baseOffset, maxIndexBytes / EntrySize, SegmentFiles.OpenForWrite(path, FileMode.Create), new long[16], 0);

    /// <summary>Opens an existing index and checks it against its segment; throws <see cref="LogCorruptionException"/>.</summary>
    public static OffsetIndex Load(string path, long baseOffset, int maxIndexBytes, long logSize, long upperBoundOffset)
    {
        if (!File.Exists(path))
        {
            throw new LogCorruptionException(CorruptionReason.IndexMissing, $"offset index {path} is missing");
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length % EntrySize != 0)
        {
            throw new LogCorruptionException(CorruptionReason.IndexSizeInvalid,
                $"offset index {path} has {bytes.Length} bytes, not a multiple of {EntrySize}");
        }

        var count = bytes.Length / EntrySize;
        var entries = new long[Math.Max(count, 16)];
        for (var i = 0; i < count; i++)
        {
            var relative = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * EntrySize));
            var position = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * EntrySize + 4));
            if (relative < 0 || position < 0 || (i > 0 && (relative <= Relative(entries[i - 1]) || position <= Position(entries[i - 1]))))
            {
                throw new LogCorruptionException(CorruptionReason.IndexNotAscending,
                    $"offset index {path} entry {i} ({relative} -> {position}) does not ascend");
            }

            if (position >= logSize || baseOffset + relative >= upperBoundOffset)
            {
                throw new LogCorruptionException(CorruptionReason.IndexPastEndOfLog,
                    $"offset index {path} entry {i} ({baseOffset + relative} -> {position}) is past the segment's end");
            }

            entries[i] = Pack(relative, position);
        }

        return new OffsetIndex(path, baseOffset, maxIndexBytes / EntrySize, SegmentFiles.OpenForWrite(path, FileMode.Open), entries, count);
    }

    /// <summary>Adds an entry unless the index is full or it would not ascend (a sparse index may skip entries).</summary>
    public void Append(long offset, int position)
    {
        var count = _count;
        var relative = offset - BaseOffset;
        if (count >= MaxEntries || relative is < 0 or > int.MaxValue
            || (count > 0 && (relative <= Relative(_entries[count - 1]) || position <= Position(_entries[count - 1]))))
        {
            return;
        }

        Span<byte> bytes = stackalloc byte[EntrySize];
        BinaryPrimitives.WriteInt32BigEndian(bytes, (int)relative);
        BinaryPrimitives.WriteInt32BigEndian(bytes[4..], position);
        RandomAccess.Write(_file, bytes, (long)count * EntrySize);
        var entries = _entries;
        if (count == entries.Length)
        {
            var larger = new long[entries.Length * 2];
            entries.AsSpan().CopyTo(larger);
            larger[count] = Pack((int)relative, position);
            Volatile.Write(ref _entries, larger);
        }
        else
        {
            entries[count] = Pack((int)relative, position);
        }

        Volatile.Write(ref _count, count + 1);
    }

    /// <summary>The last entry at or below <paramref name="targetOffset"/>, or (base offset, 0).</summary>
    public (long Offset, int Position) Lookup(long targetOffset)
    {
        var count = Volatile.Read(ref _count);
        var entries = Volatile.Read(ref _entries);
        var relativeTarget = targetOffset - BaseOffset;
        int low = 0, high = count - 1, found = -1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            if (Relative(entries[middle]) <= relativeTarget)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return found < 0 ? (BaseOffset, 0) : (BaseOffset + Relative(entries[found]), Position(entries[found]));
    }

    /// <summary>
    /// The last entry whose position is below <paramref name="positionExclusive"/> and whose offset is below
    /// <paramref name="offsetExclusive"/>, or null. An entry is a batch's last offset and its start, so every batch
    /// before that position is whole and ends below the offset: a Fetch cuts there without reading those headers.
    /// </summary>
    public (long Offset, int Position)? LastEntryBelow(long positionExclusive, long offsetExclusive)
    {
        var count = Volatile.Read(ref _count);
        var entries = Volatile.Read(ref _entries);
        var relativeLimit = offsetExclusive - BaseOffset;
        int low = 0, high = count - 1, found = -1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            if (Position(entries[middle]) < positionExclusive && Relative(entries[middle]) < relativeLimit)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return found < 0 ? null : (BaseOffset + Relative(entries[found]), Position(entries[found]));
    }

    /// <summary>The last entry, or (base offset, 0) when empty.</summary>
    public (long Offset, int Position) LastEntry
    {
        get
        {
            var count = Volatile.Read(ref _count);
            var entries = Volatile.Read(ref _entries);
            return count == 0 ? (BaseOffset, 0) : (BaseOffset + Relative(entries[count - 1]), Position(entries[count - 1]));
        }
    }

    /// <summary>Drops every entry (before a rebuild; no readers yet).</summary>
    public void Reset()
    {
        RandomAccess.SetLength(_file, 0);
        Volatile.Write(ref _count, 0);
    }

    /// <summary>Drops entries at or after <paramref name="position"/> (recovery truncating the log there).</summary>
    public void TruncateToPosition(int position)
    {
        var count = _count;
        while (count > 0 && Position(_entries[count - 1]) >= position)
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

    private static long Pack(int relative, int position) => ((long)relative << 32) | (uint)position;

    private static int Relative(long entry) => (int)(entry >> 32);

    private static int Position(long entry) => (int)entry;
}
