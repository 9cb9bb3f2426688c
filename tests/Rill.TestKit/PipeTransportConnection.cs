using System.IO.Pipelines;
using Rill.Client;

namespace Rill.TestKit;

/// <summary>A client's end of a pair of in-memory pipes that a test wired to a session itself.</summary>
public sealed class PipeTransportConnection(PipeReader input, PipeWriter output) : IKafkaTransportConnection
{
    public PipeReader Input { get; } = input;

    public PipeWriter Output { get; } = output;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
