using System.Buffers.Binary;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Server.Handlers;
using Rill.Server.Network;

namespace Rill.Benchmarks.Support;

/// <summary>
/// A request taken through the same steps as <c>KafkaSession</c>, on the calling thread and without pipes:
/// copy the frame into a pooled buffer, decode the header, find the handler, run it, write the response
/// frame. What is left out is exactly the pipe and thread-pool handoff the session adds.
/// </summary>
public sealed class DirectPath
{
    private static readonly ConnectionInfo Connection = new("bench-direct", RemoteEndPoint: null, LocalEndPoint: null, "PLAINTEXT");

    private readonly RequestDispatcher _dispatcher;
    private byte[] _output = new byte[64 * 1024];

    public DirectPath(RequestDispatcher dispatcher)
    {
        _dispatcher = dispatcher;
    }

    /// <summary>Handles one frame (size prefix included) and returns the size of the response frame written.</summary>
    public int Handle(ReadOnlySpan<byte> frameWithPrefix)
    {
        using var frame = RequestFrame.CopyFrom(frameWithPrefix[4..]);
        var reader = new KafkaReader(frame.Memory);
        var header = RequestHeader.ReadFrom(ref reader, out _);
        var handler = _dispatcher.Find(header.ApiKey) ?? throw new InvalidOperationException($"no handler for {header.ApiKey}");
        var context = new RequestContext(header.ApiKey, header.RequestApiVersion, header.CorrelationId, header.ClientId ?? "", Connection,
            frame.Memory[reader.Position..]);
        var pending = handler.HandleAsync(context, CancellationToken.None);
        if (!pending.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException($"{header.ApiKey} did not complete synchronously");
        }

        var response = pending.Result;
        using (response.Resources)
        {
            var message = response.Message ?? throw new InvalidOperationException($"{header.ApiKey} sent no response");
            var headerSize = ApiKeys.ResponseHeaderVersion(header.ApiKey, header.RequestApiVersion) >= 1 ? 5 : 4;
            var bodySize = message.ComputeSize(header.RequestApiVersion);
            var total = 4 + headerSize + bodySize;
            if (_output.Length < total)
            {
                _output = new byte[total];
            }

            var span = _output.AsSpan(0, total);
            BinaryPrimitives.WriteInt32BigEndian(span, headerSize + bodySize);
            BinaryPrimitives.WriteInt32BigEndian(span[4..], header.CorrelationId);
            span[8] = 0;
            var writer = new KafkaWriter(span[(4 + headerSize)..]);
            message.Write(ref writer, header.RequestApiVersion);
            return total;
        }
    }
}
