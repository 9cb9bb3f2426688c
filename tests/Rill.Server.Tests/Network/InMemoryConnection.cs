using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Rill.Server.Handlers;
using Rill.Server.Network;
using Rill.Server.Observability;
using Rill.TestKit;

namespace Rill.Server.Tests.Network;

/// <summary>
/// A <see cref="KafkaSession"/> over a pair of in-memory pipes, with a dispatcher of the test's own handlers and a
/// <see cref="RawKafkaClient"/> on the other end; no sockets, no node.
/// </summary>
public sealed class InMemoryConnection : IAsyncDisposable
{
    public const string ConnectionId = "test-1";

    private readonly Meter _meter = new("Rill.Tests." + Guid.NewGuid().ToString("N"));
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _session;

    public InMemoryConnection(IEnumerable<IApiHandler> handlers, ILogger logger)
    {
        var requests = new Pipe();
        var responses = new Pipe();
        var metrics = new NetworkMetrics(_meter);
        var pipeline = new RequestPipeline(new RequestDispatcher(handlers), TimeProvider.System, metrics, logger);
        var session = new KafkaSession(
            new DuplexPipe(requests.Reader, responses.Writer),
            new ConnectionInfo(ConnectionId, RemoteEndPoint: null, LocalEndPoint: null, "PLAINTEXT"),
            pipeline,
            new SessionConfig(SocketRequestMaxBytes: 1 << 20, ConnectionsMaxIdleMs: 600_000),
            metrics,
            logger);
        _session = Task.Run(() => session.RunAsync(_stopping.Token));
        Client = new RawKafkaClient(new PipeTransportConnection(responses.Reader, requests.Writer));
    }

    public RawKafkaClient Client { get; }

    /// <summary>Signals host shutdown to the session, as the node's stopping token does, without waiting for it to end.</summary>
    public Task CancelAsync() => _stopping.CancelAsync();

    /// <summary>Ends the session as host shutdown does, and waits for it.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync();
        await _session;
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await StopAsync();
        _stopping.Dispose();
        _meter.Dispose();
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
