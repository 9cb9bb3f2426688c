using System.Buffers;

namespace Rill.Protocol.Messages;

public sealed partial class ResponseHeader
{
    /// <summary>The header version a response of this api key and version uses (ApiVersions: always v0).</summary>
    public static short VersionFor(ApiKey apiKey, short apiVersion) => ApiKeys.ResponseHeaderVersion(apiKey, apiVersion);

    /// <summary>Bytes <see cref="WriteTo"/> writes: the correlation id, plus an empty tag buffer from v1.</summary>
    public static int SizeFor(ApiKey apiKey, short apiVersion) => VersionFor(apiKey, apiVersion) >= 1 ? 5 : 4;

    /// <summary>Writes the header of a response without building an instance: the server's hot path.</summary>
    public static void WriteTo(ref KafkaWriter writer, ApiKey apiKey, short apiVersion, int correlationId)
    {
        writer.WriteInt32(correlationId);
        if (VersionFor(apiKey, apiVersion) >= 1)
        {
            writer.WriteUnsignedVarInt(0);
        }
    }

    /// <summary>
    /// Reads the correlation id of a response frame (size prefix removed) and steps over the header's tagged
    /// fields without building an instance or copying the frame: the client's per-response path. Returns the
    /// header's length, where the body starts. Use <see cref="VersionFor"/> for <paramref name="headerVersion"/>:
    /// an ApiVersions response has header v0 whatever its version.
    /// </summary>
    /// <exception cref="ProtocolException">The frame ends inside the header, or a varint in it is malformed.</exception>
    public static int ReadFrom(in ReadOnlySequence<byte> frame, short headerVersion, out int correlationId)
    {
        var reader = new SequenceReader<byte>(frame);
        if (!reader.TryReadBigEndian(out correlationId))
        {
            throw new ProtocolException($"response of {frame.Length} bytes ends inside its correlation id");
        }

        if (headerVersion >= 1)
        {
            var count = ReadUnsignedVarInt(ref reader);
            for (var i = 0u; i < count; i++)
            {
                ReadUnsignedVarInt(ref reader);
                var size = ReadUnsignedVarInt(ref reader);
                if (size > reader.Remaining)
                {
                    throw new ProtocolException($"response header tagged field of {size} bytes runs past the frame's {frame.Length}");
                }

                reader.Advance(size);
            }
        }

        return checked((int)reader.Consumed);
    }

    private static uint ReadUnsignedVarInt(ref SequenceReader<byte> reader)
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (!reader.TryRead(out var next))
            {
                throw new ProtocolException("response header ends inside a varint");
            }

            value |= (uint)(next & 0x7F) << shift;
            if (next < 0x80)
            {
                return value;
            }
        }

        throw new ProtocolException("response header varint is longer than 5 bytes");
    }
}
