using System.Buffers;
using Rill.Protocol;
using Rill.Protocol.Framing;
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
    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);

    public DirectPath(RequestDispatcher dispatcher)
    {
        _dispatcher = dispatcher;
    }

    /// <summary>Handles one frame (size prefix included) and returns the size of the response frame written.</summary>
    public int Handle(ReadOnlySpan<byte> frameWithPrefix)
    {
        using var frame = RequestFrame.CopyFrom(frameWithPrefix[FrameReader.SizePrefixLength..]);
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
            _output.ResetWrittenCount();
            return ResponseFrameWriter.Write(_output, header.ApiKey, header.RequestApiVersion, header.CorrelationId, message);
        }
    }
}
