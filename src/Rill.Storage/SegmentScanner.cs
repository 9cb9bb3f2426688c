using Microsoft.Win32.SafeHandles;
using Rill.Protocol.Records;

namespace Rill.Storage;

/// <summary>
/// Walks a segment's batches in order through one pooled window (see <see cref="FileWindow"/>): the header of each,
/// and the whole batch on request. A header that does not parse before the end throws <see cref="LogCorruptionException"/>;
/// a closed segment throws <see cref="ObjectDisposedException"/>. For the log cleaner, which reads closed segments
/// without the append lock, as fetches do.
/// </summary>
internal sealed class SegmentScanner : IDisposable
{
    private readonly FileWindow _window;
    private readonly string _path;
    private readonly long _limit;
    private LogSegment.BatchHeader _header;
    private long _next;

    public SegmentScanner(SafeFileHandle file, string path, long position, long limit, int windowBytes)
    {
        _window = new FileWindow(file, limit, windowBytes);
        _path = path;
        _next = position;
        _limit = limit;
        Position = -1;
    }

    /// <summary>Where the current batch starts.</summary>
    public long Position { get; private set; }

    public long BaseOffset => _header.BaseOffset;

    public long LastOffset => _header.LastOffset;

    /// <summary>Moves to the next batch; false at the end.</summary>
    public bool MoveNext()
    {
        if (_next >= _limit)
        {
            return false;
        }

        var reason = LogSegment.CheckHeader(_window, _next, out _header);
        if (reason is not null)
        {
            throw new LogCorruptionException(reason.Value, $"{_path}: batch at position {_next} is damaged ({reason})");
        }

        Position = _next;
        _next += _header.Size;
        return true;
    }

    /// <summary>The current batch's fixed header (<see cref="RecordBatch.HeaderSize"/> bytes); valid until the next call.</summary>
    public ReadOnlySpan<byte> Header => Read(RecordBatch.HeaderSize);

    /// <summary>The current batch, whole; valid until the next call.</summary>
    public ReadOnlySpan<byte> Batch => Read(_header.Size);

    public void Dispose() => _window.Dispose();

    private ReadOnlySpan<byte> Read(int length) =>
        _window.TryRead(Position, length, out var bytes)
            ? bytes
            : throw new LogCorruptionException(CorruptionReason.TruncatedBatch, $"{_path}: batch at position {Position} ends past the file");
}
