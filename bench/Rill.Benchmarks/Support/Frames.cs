using System.Buffers.Binary;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Benchmarks.Support;

/// <summary>Request frames as a client writes them: 4-byte size, request header, body.</summary>
public static class Frames
{
    public const string ClientId = "rdkafka-bench-producer";

    public static byte[] Request(ApiKey apiKey, short apiVersion, int correlationId, IKafkaMessage body)
    {
        var headerVersion = RequestHeader.VersionFor(apiKey, apiVersion);
        var header = new RequestHeader
        {
            RequestApiKey = (short)apiKey,
            RequestApiVersion = apiVersion,
            CorrelationId = correlationId,
            ClientId = ClientId,
        };
        var headerSize = header.ComputeSize(headerVersion);
        var bodySize = body.ComputeSize(apiVersion);
        var frame = new byte[4 + headerSize + bodySize];
        BinaryPrimitives.WriteInt32BigEndian(frame, headerSize + bodySize);
        var writer = new KafkaWriter(frame.AsSpan(4));
        header.Write(ref writer, headerVersion);
        body.Write(ref writer, apiVersion);
        return frame;
    }

    /// <summary>The bytes after the size prefix and the header: what a handler's <c>RequestContext.Body</c> holds.</summary>
    public static byte[] Body(IKafkaMessage body, short apiVersion)
    {
        var bytes = new byte[body.ComputeSize(apiVersion)];
        var writer = new KafkaWriter(bytes);
        body.Write(ref writer, apiVersion);
        return bytes;
    }

    /// <summary><paramref name="count"/> copies of <paramref name="frame"/> back to back, for pipelined requests.</summary>
    public static byte[] Repeat(byte[] frame, int count)
    {
        var frames = new byte[frame.Length * count];
        for (var i = 0; i < count; i++)
        {
            frame.CopyTo(frames, i * frame.Length);
        }

        return frames;
    }
}
