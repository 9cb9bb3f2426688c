using System.Buffers;
using Rill.Server.Network;

namespace Rill.Benchmarks.Support;

/// <summary>
/// A request taken through the session's own <see cref="RequestPipeline"/> on the calling thread and without
/// pipes: copy the frame into a pooled buffer, decode the header, run the handler, write the response frame.
/// What is left out is exactly the pipe and thread-pool handoff the session adds.
/// </summary>
public sealed class DirectPath
{
    private static readonly ConnectionInfo Connection = new("bench-direct", RemoteEndPoint: null, LocalEndPoint: null, "PLAINTEXT");

    private readonly RequestPipeline _pipeline;
    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);

    public DirectPath(RequestPipeline pipeline)
    {
        _pipeline = pipeline;
    }

    /// <summary>Handles one frame (size prefix included) and returns the size of the response frame written.</summary>
    public int Handle(ReadOnlySpan<byte> frameWithPrefix)
    {
        _output.ResetWrittenCount();
        var handled = _pipeline.HandleAsync(RequestFrame.CopyFrom(frameWithPrefix[4..]), Connection, _output);
        if (!handled.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("the request did not complete synchronously");
        }

        if (!handled.Result || _output.WrittenCount == 0)
        {
            throw new InvalidOperationException("the request was not answered");
        }

        return _output.WrittenCount;
    }
}
