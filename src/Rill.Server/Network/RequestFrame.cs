using System.Buffers;

namespace Rill.Server.Network;

/// <summary>
/// One request's bytes, copied once out of the socket buffer into pooled memory so that the request, and
/// the record slices taken from it, outlive the read; returned to the pool when the response is written.
/// </summary>
public sealed class RequestFrame : IDisposable
{
    private byte[]? _buffer;

    private RequestFrame(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    /// <summary>Writable, because Produce rewrites batch headers (base offset, leader epoch) in place.</summary>
    public Memory<byte> Memory => _buffer is { } buffer
        ? buffer.AsMemory(0, Length)
        : throw new ObjectDisposedException(nameof(RequestFrame));

    public static RequestFrame CopyFrom(in ReadOnlySequence<byte> source)
    {
        var length = checked((int)source.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        source.CopyTo(buffer);
        return new RequestFrame(buffer, length);
    }

    public static RequestFrame CopyFrom(ReadOnlySpan<byte> source)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(source.Length);
        source.CopyTo(buffer);
        return new RequestFrame(buffer, source.Length);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
