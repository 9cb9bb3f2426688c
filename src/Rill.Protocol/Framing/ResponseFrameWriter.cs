using System.Buffers;
using System.Buffers.Binary;
using Rill.Protocol.Messages;

namespace Rill.Protocol.Framing;

/// <summary>
/// Whole response frames as a broker writes them: the 4-byte size, the response header (v1 for flexible
/// versions, with an empty tag buffer; always v0 for ApiVersions) and the body. Sized once, then written
/// straight into the output's buffer (a pipe writer on the broker).
/// </summary>
public static class ResponseFrameWriter
{
    /// <summary>Writes one frame to <paramref name="output"/> and advances it; returns the frame's length, size prefix included.</summary>
    public static int Write(IBufferWriter<byte> output, ApiKey apiKey, short apiVersion, int correlationId, IKafkaMessage body)
    {
        var headerSize = ResponseHeader.SizeFor(apiKey, apiVersion);
        var bodySize = body.ComputeSize(apiVersion);
        var total = FrameReader.SizePrefixLength + headerSize + bodySize;
        var span = output.GetSpan(total)[..total];
        BinaryPrimitives.WriteInt32BigEndian(span, headerSize + bodySize);
        var writer = new KafkaWriter(span[FrameReader.SizePrefixLength..]);
        ResponseHeader.WriteTo(ref writer, apiKey, apiVersion, correlationId);
        body.Write(ref writer, apiVersion);
        if (writer.Position != headerSize + bodySize)
        {
            throw new InvalidOperationException($"{apiKey} v{apiVersion} wrote {writer.Position - headerSize} bytes but sized {bodySize}.");
        }

        output.Advance(total);
        return total;
    }
}
