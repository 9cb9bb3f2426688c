using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Rill.Storage;

/// <summary>
/// Positional reads of a segment file through one pooled buffer, for walking batch headers without a
/// syscall per batch. Reads never go past <c>limit</c> (the segment's published size), so a reader
/// never sees bytes an appender is still writing.
/// </summary>
internal sealed class FileWindow : IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly long _limit;
    private byte[]? _buffer;
    private long _bufferStart;
    private int _bufferLength;

    public FileWindow(SafeFileHandle file, long limit, int capacity)
    {
        _file = file;
        _limit = limit;
        _buffer = ArrayPool<byte>.Shared.Rent(capacity);
    }

    public long Limit => _limit;

    /// <summary>The bytes at [position, position + length), or false when they are not all in the file.</summary>
    public bool TryRead(long position, int length, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (position < 0 || length < 0 || position > _limit - length)
        {
            return false;
        }

        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(FileWindow));
        if (position >= _bufferStart && position + length <= _bufferStart + _bufferLength)
        {
            bytes = buffer.AsSpan((int)(position - _bufferStart), length);
            return true;
        }

        if (length > buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = _buffer = ArrayPool<byte>.Shared.Rent(length);
        }

        var wanted = (int)Math.Min(buffer.Length, _limit - position);
        var filled = ReadFully(_file, buffer.AsSpan(0, wanted), position);
        _bufferStart = position;
        _bufferLength = filled;
        if (filled < length)
        {
            return false;
        }

        bytes = buffer.AsSpan(0, length);
        return true;
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }

    /// <summary>Reads until <paramref name="destination"/> is full or the file ends; returns the bytes read.</summary>
    public static int ReadFully(SafeFileHandle file, Span<byte> destination, long position)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var read = RandomAccess.Read(file, destination[total..], position + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
