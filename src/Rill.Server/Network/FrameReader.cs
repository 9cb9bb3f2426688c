using System.Buffers;
using System.Buffers.Binary;

namespace Rill.Server.Network;

/// <summary>Outcome of looking for one request frame in the bytes received so far.</summary>
public enum FrameStatus
{
    /// <summary>A whole frame was found and consumed from the buffer.</summary>
    Complete,

    /// <summary>More bytes are needed.</summary>
    Incomplete,

    /// <summary>The size prefix is negative, too small for a request header, or above the limit: close the connection.</summary>
    InvalidSize,
}

/// <summary>
/// Splits the byte stream into Kafka frames: a 4-byte big-endian size, then that many bytes. The size is
/// checked against <c>socket.request.max.bytes</c> before anything is allocated for the frame.
/// </summary>
public static class FrameReader
{
    /// <summary>api key, api version and correlation id: the least a request header holds.</summary>
    public const int MinimumFrameSize = 8;

    public static FrameStatus TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxFrameBytes, out ReadOnlySequence<byte> frame, out int size)
    {
        frame = default;
        size = 0;
        if (buffer.Length < 4)
        {
            return FrameStatus.Incomplete;
        }

        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        size = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (size < MinimumFrameSize || size > maxFrameBytes)
        {
            return FrameStatus.InvalidSize;
        }

        if (buffer.Length - 4 < size)
        {
            return FrameStatus.Incomplete;
        }

        frame = buffer.Slice(4, size);
        buffer = buffer.Slice(frame.End);
        return FrameStatus.Complete;
    }
}
