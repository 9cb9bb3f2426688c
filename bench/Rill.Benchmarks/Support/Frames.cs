using Rill.Client;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Benchmarks.Support;

/// <summary>Request frames as a client writes them: 4-byte size, request header, body.</summary>
public static class Frames
{
    public const string ClientId = "rdkafka-bench-producer";

    private static readonly RequestFrameWriter Writer = new(ClientId);

    public static byte[] Request(ApiKey apiKey, short apiVersion, int correlationId, IKafkaMessage body) =>
        Writer.Encode(apiKey, apiVersion, correlationId, body);

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
