using System.Buffers;
using Rill.Common;

namespace Rill.Storage;

/// <summary>
/// Whole batches read from one partition, in a pooled buffer (<see cref="Log.Read"/>) or as a region of a segment
/// file that holds the file open (<see cref="Log.ReadFileRegion"/>). The holder disposes it once the bytes are sent;
/// <see cref="Records"/> must not be used after that.
/// </summary>
public sealed class LogReadResult : IDisposable
{
    private byte[]? _rented;
    private SegmentRegion? _region;

    internal LogReadResult(ErrorCode errorCode, byte[]? rented, int length, int recordCount, long logStartOffset, long logEndOffset, long highWatermark)
    {
        ErrorCode = errorCode;
        _rented = rented;
        Records = rented is null ? ReadOnlyMemory<byte>.Empty : rented.AsMemory(0, length);
        RecordCount = recordCount;
        LogStartOffset = logStartOffset;
        LogEndOffset = logEndOffset;
        HighWatermark = highWatermark;
    }

    internal LogReadResult(ErrorCode errorCode, SegmentRegion? region, int recordCount, long logStartOffset, long logEndOffset, long highWatermark)
        : this(errorCode, null, 0, recordCount, logStartOffset, logEndOffset, highWatermark)
    {
        _region = region;
        Records = region is null ? ReadOnlyMemory<byte>.Empty : region.Memory;
    }

    /// <summary>A read refused before it reached a log (no such partition, not its leader).</summary>
    public static LogReadResult Failed(ErrorCode errorCode) => new(errorCode, null, 0, 0, -1, -1, -1);

    /// <summary>None, OFFSET_OUT_OF_RANGE, or a storage / leadership code.</summary>
    public ErrorCode ErrorCode { get; }

    /// <summary>Zero or more whole batches; empty (never null) when there is nothing to return.</summary>
    public ReadOnlyMemory<byte> Records { get; private set; }

    /// <summary>Records in <see cref="Records"/>, as their batch headers count them (for metrics).</summary>
    public int RecordCount { get; }

    public long LogStartOffset { get; }

    public long LogEndOffset { get; }

    public long HighWatermark { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _region, null) is IDisposable region)
        {
            Records = ReadOnlyMemory<byte>.Empty;
            region.Dispose();
        }

        var rented = Interlocked.Exchange(ref _rented, null);
        if (rented is not null)
        {
            Records = ReadOnlyMemory<byte>.Empty;
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
