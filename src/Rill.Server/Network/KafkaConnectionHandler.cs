using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Rill.Server.Observability;

namespace Rill.Server.Network;

/// <summary>Kestrel's entry point for a Kafka listener: each accepted connection becomes a <see cref="KafkaSession"/>.</summary>
public sealed class KafkaConnectionHandler : ConnectionHandler
{
    private readonly RequestPipeline _pipeline;
    private readonly SessionConfig _config;
    private readonly string _listenerName;
    private readonly NetworkMetrics _metrics;
    private readonly KeyValuePair<string, object?> _listenerTag;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private long _nextConnectionId;

    public KafkaConnectionHandler(
        RequestPipeline pipeline,
        SessionConfig config,
        string listenerName,
        NetworkMetrics metrics,
        ILogger logger,
        CancellationToken stopping)
    {
        _pipeline = pipeline;
        _config = config;
        _listenerName = listenerName;
        _metrics = metrics;
        _listenerTag = NetworkMetrics.ListenerTag(listenerName);
        _logger = logger;
        _stopping = stopping;
    }

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var id = $"{_listenerName}-{Interlocked.Increment(ref _nextConnectionId)}";
        var info = new ConnectionInfo(id, connection.RemoteEndPoint, connection.LocalEndPoint, _listenerName);
        ServerLog.ConnectionOpened(_logger, id, connection.RemoteEndPoint, _listenerName);
        _metrics.ConnectionOpened(_listenerTag);
        try
        {
            using var closing = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, _stopping);
            if (!_config.Ready.IsCompletedSuccessfully)
            {
                try
                {
                    await _config.Ready.WaitAsync(closing.Token);
                }
                catch (Exception) when (!_config.Ready.IsCompletedSuccessfully)
                {
                    // The connection closed or the node stopped, or its start failed: there is nothing to serve.
                    return;
                }
            }

            var session = new KafkaSession(connection.Transport, info, _pipeline, _config, _metrics, _logger);
            await session.RunAsync(closing.Token);
        }
        finally
        {
            _metrics.ConnectionClosed(_listenerTag);
        }
    }
}
