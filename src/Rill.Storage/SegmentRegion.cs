using System.Buffers;
using Rill.Protocol;

namespace Rill.Storage;

/// <summary>
/// Whole batches of one segment file, [position, position + length), read only when the response is written:
/// <see cref="CopyTo"/> reads them from the file into the response buffer (the one copy of a Fetch). It holds the
/// segment's file open until disposed, so retention or the cleaner deleting the segment (after file.delete.delay.ms)
/// cannot close it between the read and the write.
/// </summary>
internal sealed class SegmentRegion : RecordsRegionManager
{
    private readonly LogSegment _segment;
    private readonly long _position;
    private readonly int _length;
    private byte[]? _materialized;
    private int _released;

    /// <summary>Takes over a reference to the segment's file from <see cref="LogSegment.TryRetainFile"/>.</summary>
    public SegmentRegion(LogSegment segment, long position, int length)
    {
        _segment = segment;
        _position = position;
        _length = length;
    }

    public override void CopyTo(int start, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)start + destination.Length, _length);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _released) != 0, this);
        _segment.ReadExactly(destination, _position + start);
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
