using System.IO.Pipelines;
using Rill.Client;

namespace Rill.TestKit.Network;

/// <summary>The client's end of an in-memory connection; disposing it resets the connection, as closing a socket would.</summary>
public sealed class InMemoryClientConnection : IKafkaTransportConnection
{
    private readonly Action _reset;

    internal InMemoryClientConnection(IDuplexPipe transport, Action reset)
    {
        Input = transport.Input;
        Output = transport.Output;
        _reset = reset;
    }

    public PipeReader Input { get; }

    public PipeWriter Output { get; }

    public async ValueTask DisposeAsync()
    {
        await Output.CompleteAsync();
        await Input.CompleteAsync();
        _reset();
    }
}
