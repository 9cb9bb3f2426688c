using System.Buffers;
using System.Buffers.Binary;

namespace Rill.Protocol.Framing;

/// <summary>Outcome of looking for one frame in the bytes received so far.</summary>
public enum FrameStatus
{
    /// <summary>A whole frame was found and consumed from the buffer.</summary>
    Complete,

    /// <summary>More bytes are needed.</summary>
    Incomplete,

    /// <summary>The size prefix is negative, too small for a header, or above the limit: close the connection.</summary>
    InvalidSize,
}

/// <summary>
/// Splits the byte stream into Kafka frames: a 4-byte big-endian size, then that many bytes. The size is
/// checked against the limit (<c>socket.request.max.bytes</c> on the broker) before anything is allocated
/// for the frame. The broker reads requests with it and the client responses, so both agree on what a frame is.
/// </summary>
public static class FrameReader
{
    /// <summary>Bytes of the size prefix.</summary>
    public const int SizePrefixLength = 4;

    /// <summary>api key, api version and correlation id: the least a request header holds.</summary>
    public const int MinimumFrameSize = 8;

    /// <summary>The correlation id: the least a response header holds.</summary>
    public const int MinimumResponseFrameSize = 4;

    /// <summary>Reads one request frame (at least <see cref="MinimumFrameSize"/> bytes).</summary>
    public static FrameStatus TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxFrameBytes, out ReadOnlySequence<byte> frame, out int size) =>
        TryReadFrame(ref buffer, MinimumFrameSize, maxFrameBytes, out frame, out size);

    /// <summary>
    /// Reads one frame of <paramref name="minFrameBytes"/> to <paramref name="maxFrameBytes"/> bytes. On
    /// <see cref="FrameStatus.Complete"/> <paramref name="frame"/> is the frame without its size prefix, a slice
    /// of <paramref name="buffer"/>, which moves past it; <paramref name="size"/> is the prefix as read.
    /// </summary>
    public static FrameStatus TryReadFrame(ref ReadOnlySequence<byte> buffer, int minFrameBytes, int maxFrameBytes, out ReadOnlySequence<byte> frame, out int size)
    {
        frame = default;
        size = 0;
        if (buffer.Length < SizePrefixLength)
        {
            return FrameStatus.Incomplete;
        }

        size = ReadSize(buffer);
        if (size < minFrameBytes || size > maxFrameBytes)
        {
            return FrameStatus.InvalidSize;
        }

        if (buffer.Length - SizePrefixLength < size)
        {
            return FrameStatus.Incomplete;
        }

        frame = buffer.Slice(SizePrefixLength, size);
        buffer = buffer.Slice(frame.End);
        return FrameStatus.Complete;
    }

    private static int ReadSize(in ReadOnlySequence<byte> buffer)
    {
        var first = buffer.FirstSpan;
        if (first.Length >= SizePrefixLength)
        {
            return BinaryPrimitives.ReadInt32BigEndian(first);
        }

        Span<byte> prefix = stackalloc byte[SizePrefixLength];
        buffer.Slice(0, SizePrefixLength).CopyTo(prefix);
        return BinaryPrimitives.ReadInt32BigEndian(prefix);
    }
}
