using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;

namespace Rill.TestKit.Network;

/// <summary>A bound in-memory port: connections made to it wait here until Kestrel accepts them.</summary>
internal sealed class InMemoryListener : IConnectionListener
{
    private readonly Channel<ConnectionContext> _pending = Channel.CreateUnbounded<ConnectionContext>();
    private readonly Action<InMemoryListener> _unbind;

    public InMemoryListener(string host, IPEndPoint endPoint, Action<InMemoryListener> unbind)
    {
        Host = host;
        EndPoint = endPoint;
        _unbind = unbind;
    }

    /// <summary>The name of the host that listens, the "to" of its links.</summary>
    public string Host { get; }

    public EndPoint EndPoint { get; }

    public int Port => ((IPEndPoint)EndPoint).Port;

    public bool TryEnqueue(ConnectionContext connection) => _pending.Writer.TryWrite(connection);

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _pending.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _unbind(this);
        _pending.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => UnbindAsync();
}
