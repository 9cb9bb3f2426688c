using System.IO.Pipelines;

namespace Rill.TestKit.Network;

/// <summary>The client's end of an in-memory connection; disposing it resets the connection, as closing a socket would.</summary>
public sealed class InMemoryClientConnection : IAsyncDisposable
{
    private readonly Action _reset;

    internal InMemoryClientConnection(IDuplexPipe transport, Action reset)
    {
        Transport = transport;
        _reset = reset;
    }

    public IDuplexPipe Transport { get; }

    public async ValueTask DisposeAsync()
    {
        await Transport.Output.CompleteAsync();
        _reset();
    }
}
