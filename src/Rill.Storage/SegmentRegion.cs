using System.Buffers;
using Rill.Protocol;

namespace Rill.Storage;

/// <summary>
/// Whole batches of one segment file, [position, position + length), read only when the response is written:
/// <see cref="CopyTo"/> reads them from the file into the response buffer (the one copy of a Fetch). It holds the
/// segment's file open until disposed, so retention or the cleaner deleting the segment (after file.delete.delay.ms)
/// cannot close it between the read and the write. A truncation that cuts the segment below the region's end before the
/// bytes are copied makes the copy throw <see cref="LogTruncatedException"/> rather than hand out bytes that are gone or
/// were overwritten by later appends.
/// </summary>
internal sealed class SegmentRegion : RecordsRegionManager
{
    private readonly LogSegment _segment;
    private readonly long _position;
    private readonly int _length;
    private readonly int _cutCount;
    private byte[]? _materialized;
    private int _released;

    /// <summary>
    /// Takes over a reference to the segment's file from <see cref="LogSegment.TryRetainFile"/>; <paramref name="cutCount"/>
    /// is the segment's <see cref="LogSegment.CutCount"/> from before the region's batches were found.
    /// </summary>
    public SegmentRegion(LogSegment segment, long position, int length, int cutCount)
    {
        _segment = segment;
        _position = position;
        _length = length;
        _cutCount = cutCount;
    }

    public override void CopyTo(int start, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)start + destination.Length, _length);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _released) != 0, this);
        try
        {
            _segment.ReadExactly(destination, _position + start);
        }
        catch (IOException) when (_segment.CutBelow(_cutCount, _position + _length))
        {
            // The file is shorter than it was: the truncation below explains it, and says so.
        }

        _segment.ThrowIfCut(_cutCount, _position + _length);
    }

    /// <summary>
    /// The bytes in memory, for a reader that wants a span rather than a response (a test, a decoder in process):
    /// read once into a pooled buffer. The response path never calls it.
    /// </summary>
    public override Span<byte> GetSpan()
    {
        var materialized = Volatile.Read(ref _materialized);
        if (materialized is null)
        {
            var read = ArrayPool<byte>.Shared.Rent(_length);
            CopyTo(0, read.AsSpan(0, _length));
            materialized = Interlocked.CompareExchange(ref _materialized, read, null);
            if (materialized is null)
            {
                materialized = read;
            }
            else
            {
                ArrayPool<byte>.Shared.Return(read);
            }
        }

        return materialized.AsSpan(0, _length);
    }

    /// <summary>A file region has no address to pin; nothing in Rill pins records.</summary>
    public override MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException("A segment file region cannot be pinned.");

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        _segment.ReleaseFile();
        if (Interlocked.Exchange(ref _materialized, null) is { } materialized)
        {
            ArrayPool<byte>.Shared.Return(materialized);
        }
    }
}
