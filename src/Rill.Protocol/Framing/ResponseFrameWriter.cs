using System.Buffers.Binary;
using Rill.Protocol.Messages;

namespace Rill.Protocol.Framing;

/// <summary>
/// Whole response frames as a broker writes them: the 4-byte size, the response header (v1 for flexible
/// versions, with an empty tag buffer; always v0 for ApiVersions) and the body. Size first, then write, so the
/// frame goes straight into the caller's buffer.
/// </summary>
public static class ResponseFrameWriter
{
    /// <summary>The frame's length in bytes, size prefix included.</summary>
    public static int SizeOf(ApiKey apiKey, short apiVersion, IKafkaMessage body) =>
        FrameReader.SizePrefixLength + ResponseHeader.SizeFor(apiKey, apiVersion) + body.ComputeSize(apiVersion);

    /// <summary>Writes the frame at the start of <paramref name="destination"/>; returns its length.</summary>
    public static int Write(Span<byte> destination, ApiKey apiKey, short apiVersion, int correlationId, IKafkaMessage body)
    {
        var headerSize = ResponseHeader.SizeFor(apiKey, apiVersion);
        var bodySize = body.ComputeSize(apiVersion);
        BinaryPrimitives.WriteInt32BigEndian(destination, headerSize + bodySize);
        var writer = new KafkaWriter(destination[FrameReader.SizePrefixLength..]);
        ResponseHeader.WriteTo(ref writer, apiKey, apiVersion, correlationId);
        body.Write(ref writer, apiVersion);
        if (writer.Position != headerSize + bodySize)
        {
            throw new InvalidOperationException($"{apiKey} v{apiVersion} wrote {writer.Position - headerSize} bytes but sized {bodySize}.");
        }

        return FrameReader.SizePrefixLength + writer.Position;
    }
}
