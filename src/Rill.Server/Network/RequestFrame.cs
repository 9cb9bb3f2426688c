using System.Buffers;

namespace Rill.Server.Network;

/// <summary>
/// One request's bytes, copied once out of the socket buffer into pooled memory so that the request, and
/// the record slices taken from it, outlive the read; returned to the pool when the response is written, and its
/// bytes given back to <c>queued.max.request.bytes</c> then through the optional release callback.
/// </summary>
public sealed class RequestFrame : IDisposable
{
    private readonly Action<int>? _released;
    private byte[]? _buffer;

    private RequestFrame(byte[] buffer, int length, Action<int>? released)
    {
        _buffer = buffer;
        Length = length;
        _released = released;
    }

    public int Length { get; }

    /// <summary>Writable, because Produce rewrites batch headers (base offset, leader epoch) in place.</summary>
    public Memory<byte> Memory => _buffer is { } buffer
        ? buffer.AsMemory(0, Length)
        : throw new ObjectDisposedException(nameof(RequestFrame));

    /// <summary>Copies a frame out of the socket buffer; <paramref name="released"/> gets its length once, when it is disposed.</summary>
    public static RequestFrame CopyFrom(in ReadOnlySequence<byte> source, Action<int>? released = null)
    {
        var length = checked((int)source.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        source.CopyTo(buffer);
        return new RequestFrame(buffer, length, released);
    }

    public static RequestFrame CopyFrom(ReadOnlySpan<byte> source)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(source.Length);
        source.CopyTo(buffer);
        return new RequestFrame(buffer, source.Length, released: null);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _released?.Invoke(Length);
        }
    }
}
