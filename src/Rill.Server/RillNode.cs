using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Rill.Metadata;
using Rill.Replication;
using Rill.Config;
using Rill.Server.Observability;

namespace Rill.Server;

/// <summary>
/// One Rill process: its controller role (<see cref="ControllerServer"/>), its broker role
/// (<see cref="BrokerServer"/>) and the HTTP admin listener. Built by <see cref="RillNodeBuilder"/>; takes its parts
/// down in the reverse order. Until the Raft quorum exists every node runs the controller in process over its own
/// metadata log (KRaft's combined mode), whatever <c>process.roles</c> lists, as single-node Rill always has.
/// </summary>
public sealed class RillNode : IAsyncDisposable
{
    private readonly ServerConfig _config;
    private readonly ILogger _logger;
    private readonly IMetadataLog _metadataLog;
    private readonly ControllerServer _controller;
    private readonly BrokerServer _broker;
    private AdminServer? _admin;
    private int _stopped;

    private RillNode(
        ServerConfig config,
        string clusterId,
        ILogger logger,
        IMetadataLog metadataLog,
        MetadataLoader metadata,
        ControllerServer controller,
        BrokerServer broker)
    {
        _metadataLog = metadataLog;
        Metadata = metadata;
        _config = config;
        ClusterId = clusterId;
        _logger = logger;
        _controller = controller;
        _broker = broker;
    }

    public string ClusterId { get; }

    public int NodeId => _config.NodeId;

    /// <summary>The metadata image this node serves.</summary>
    public IMetadataView Metadata { get; }

    public ReplicaManager Replicas => _broker.Replicas;

    /// <summary>The broker's registration and heartbeats at the active controller.</summary>
    public BrokerLifecycleManager Lifecycle => _broker.Lifecycle;

    /// <summary>The broker's request pipeline: a frame run through it is handled as if a connection had sent it.</summary>
    public Network.RequestPipeline Pipeline => _broker.Pipeline;

    /// <summary>Serves one connection over an in-memory pipe as if a listener had accepted it (benchmarks, tests).</summary>
    public Task ServeConnectionAsync(System.IO.Pipelines.IDuplexPipe transport, Network.ConnectionInfo connection, CancellationToken cancellationToken) =>
        _broker.ServeConnectionAsync(transport, connection, cancellationToken);

    /// <summary>The listeners with the ports actually bound (port 0 in the config becomes a real port).</summary>
    public IReadOnlyList<ListenerEndpoint> BoundListeners => _broker.BoundListeners;

    /// <summary>
    /// Where the HTTP admin endpoint (/metrics, /health) listens, with the bound port; null when the default
    /// <c>admin.listener</c> was in use at start and the node runs without it.
    /// </summary>
    public IPEndPoint? AdminEndpoint => _admin?.EndPoint;

    /// <summary>host:port of the first listener, for clients.</summary>
    public string BootstrapServers
    {
        get
        {
            var listener = BoundListeners[0];
            var host = listener.Host is "" or "0.0.0.0" or "::" ? "127.0.0.1" : listener.Host;
            return $"{host}:{listener.Port}";
        }
    }

    internal static async Task<RillNode> StartAsync(
        ServerConfig config,
        IConnectionListenerFactory transport,
        TimeProvider time,
        ILoggerFactory loggerFactory,
        LogLevels? logLevels,
        CancellationToken cancellationToken)
    {
        var startedAt = time.GetTimestamp();
        var logger = loggerFactory.CreateLogger("Rill.Server");
        var clusterId = MetaProperties.LoadOrFormat(config.LogDirs, config.NodeId, config.ClusterId);

        // Metadata first, so that logs open with their topics' configs: the metadata log (which the Raft quorum will
        // replace behind IMetadataLog) and the loader every node runs over what it commits.
        var metadataLog = new FileMetadataLog(config.LogDirs[0], loggerFactory.CreateLogger<FileMetadataLog>());
        ControllerServer? controller = null;
        BrokerServer broker;
        MetadataLoader metadata;
        try
        {
            metadata = new MetadataLoader(loggerFactory.CreateLogger<MetadataLoader>());
            metadata.Load(metadataLog);
            controller = ControllerServer.Start(config, clusterId, metadataLog, metadata.Image, time, loggerFactory);
            broker = await BrokerServer.StartAsync(config, clusterId, metadata, controller.Client, transport, time, loggerFactory, logLevels, cancellationToken);
        }
        catch
        {
            controller?.Dispose();
            metadataLog.Dispose();
            throw;
        }

        var node = new RillNode(config, clusterId, logger, metadataLog, metadata, controller, broker);
        try
        {
            // Not cancellable: the Kafka listeners already accept connections, so a stop asked for now (SIGTERM right
            // after start) is a graceful stop of a started node, not an aborted start. Binding one socket does not hang.
            await node.StartAdminAsync(time, loggerFactory);
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }

        broker.Health.MarkReady();
        var startTime = time.GetElapsedTime(startedAt);
        ServerLog.Started(logger, config.NodeId, startTime, clusterId, broker.BoundListeners);
        return node;
    }

    /// <summary>Stops accepting, lets in-flight requests finish, flushes and checkpoints the logs, writes the clean-shutdown marker.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        _broker.Health.MarkStopping();
        if (_admin is not null)
        {
            await _admin.StopAsync();
        }

        await _broker.StopAsync();
        _controller.Dispose();
        _metadataLog.Dispose();
        ServerLog.Stopped(_logger, _config.NodeId);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_admin is not null)
        {
            await _admin.DisposeAsync();
        }

        await _broker.DisposeAsync();
    }

    /// <summary>
    /// Starts the HTTP admin listener. When the default <c>admin.listener</c> is taken (another broker on this
    /// machine, or a test process with several nodes), the node runs without it and says so; an address the
    /// operator chose must bind, or the start fails.
    /// </summary>
    private async Task StartAdminAsync(TimeProvider time, ILoggerFactory loggerFactory)
    {
        var listen = _config.AdminListener;
        try
        {
            _admin = await AdminServer.StartAsync(
                Network.KafkaListeners.EndPointOf(listen.Host, listen.Port),
                _broker.Metrics.Exporter,
                _broker.Metrics.BeforeScrapeAsync,
                _broker.Health,
                time,
                loggerFactory,
                CancellationToken.None);
        }
        catch (IOException exception) when (exception.InnerException is AddressInUseException && IsDefault(BrokerConfigs.AdminListenerConfig))
        {
            var endpoint = listen.ToString();
            ObservabilityLog.DefaultAdminListenerInUse(_logger, endpoint);
        }
    }

    private bool IsDefault(string key) => _config.Values.First(value => value.Name == key).IsDefault;
}
