using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Rill.TestKit.Network;

/// <summary>The server's end of an in-memory connection, as Kestrel's transport hands it to a connection handler.</summary>
internal sealed class InMemoryConnection : ConnectionContext
{
    private readonly CancellationTokenSource _closed = new();
    private readonly Action _abort;

    public InMemoryConnection(string id, IDuplexPipe transport, EndPoint local, EndPoint remote, Action abort)
    {
        ConnectionId = id;
        Transport = transport;
        LocalEndPoint = local;
        RemoteEndPoint = remote;
        _abort = abort;
    }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; } = new FeatureCollection();

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override IDuplexPipe Transport { get; set; }

    public override CancellationToken ConnectionClosed
    {
        get => _closed.Token;
        set => throw new NotSupportedException("The network owns the connection's lifetime.");
    }

    /// <summary>Called by the network when the link is cut or the client end goes away.</summary>
    public void SignalClosed()
    {
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed by Kestrel already: nobody is left to tell.
        }
    }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        _abort();
        SignalClosed();
    }

    public override async ValueTask DisposeAsync()
    {
        _abort();
        _closed.Dispose();
        await base.DisposeAsync();
    }
}
