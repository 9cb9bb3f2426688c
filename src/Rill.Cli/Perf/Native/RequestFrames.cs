using System.Buffers.Binary;
using System.Text;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Cli.Perf.Native;

/// <summary>
/// Whole request frames: the 4-byte size, the request header (v1, or v2 for flexible versions; the client id
/// stays a plain string in both) and the body. The correlation id sits at <see cref="CorrelationIdOffset"/>, so a
/// frame built once can be re-sent with a new id written in place.
/// </summary>
internal static class RequestFrames
{
    public const string ClientId = "rill-perf";

    /// <summary>Where the correlation id starts: after size (4), api key (2) and api version (2).</summary>
    public const int CorrelationIdOffset = 8;

    private static readonly byte[] ClientIdBytes = Encoding.UTF8.GetBytes(ClientId);

    /// <summary>The frame's length in bytes, size prefix included.</summary>
    public static int SizeOf(ApiKey apiKey, short version, IKafkaMessage request) =>
        sizeof(int) + HeaderSize(apiKey, version) + request.ComputeSize(version);

    /// <summary>A new array holding the frame.</summary>
    public static byte[] Encode(ApiKey apiKey, short version, int correlationId, IKafkaMessage request)
    {
        var frame = new byte[SizeOf(apiKey, version, request)];
        Write(frame, apiKey, version, correlationId, request);
        return frame;
    }

    /// <summary>Writes the frame at the start of <paramref name="destination"/>; returns its length.</summary>
    public static int Write(Span<byte> destination, ApiKey apiKey, short version, int correlationId, IKafkaMessage request)
    {
        var headerSize = HeaderSize(apiKey, version);
        var bodySize = request.ComputeSize(version);
        BinaryPrimitives.WriteInt32BigEndian(destination, headerSize + bodySize);
        BinaryPrimitives.WriteInt16BigEndian(destination[4..], (short)apiKey);
        BinaryPrimitives.WriteInt16BigEndian(destination[6..], version);
        BinaryPrimitives.WriteInt32BigEndian(destination[CorrelationIdOffset..], correlationId);
        var position = 12;
        BinaryPrimitives.WriteInt16BigEndian(destination[position..], (short)ClientIdBytes.Length);
        position += sizeof(short);
        ClientIdBytes.CopyTo(destination[position..]);
        position += ClientIdBytes.Length;
        if (ApiKeys.RequestHeaderVersion(apiKey, version) >= 2)
        {
            destination[position++] = 0; // no tagged fields
        }

        var writer = new KafkaWriter(destination.Slice(position, bodySize));
        request.Write(ref writer, version);
        if (writer.Position != bodySize)
        {
            throw new InvalidOperationException($"{apiKey} v{version}: computed {bodySize} bytes but wrote {writer.Position}.");
        }

        return position + bodySize;
    }

    /// <summary>Writes <paramref name="correlationId"/> into a frame made by <see cref="Encode"/>.</summary>
    public static void SetCorrelationId(Span<byte> frame, int correlationId) =>
        BinaryPrimitives.WriteInt32BigEndian(frame[CorrelationIdOffset..], correlationId);

    private static int HeaderSize(ApiKey apiKey, short version) =>
        8 + sizeof(short) + ClientIdBytes.Length + (ApiKeys.RequestHeaderVersion(apiKey, version) >= 2 ? 1 : 0);
}
