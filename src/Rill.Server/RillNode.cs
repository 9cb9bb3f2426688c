using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Rill.Metadata;
using Rill.Replication;
using Rill.Config;
using Rill.Client;
using Rill.Server.Handlers;
using Rill.Server.Network;
using Rill.Server.Observability;
using Rill.Server.Quorum;

namespace Rill.Server;

/// <summary>
/// One Rill process: its controller role (<see cref="ControllerServer"/>), its broker role
/// (<see cref="BrokerServer"/>) and the HTTP admin listener. Built by <see cref="RillNodeBuilder"/>; takes its parts
/// down in the reverse order. Every node is a member of the metadata quorum; a node with the controller role votes in
/// it and is the active controller while it leads. A node with no broker role (controller only) is not served yet:
/// it is refused at start.
/// </summary>
public sealed class RillNode : IAsyncDisposable
{
    private readonly ServerConfig _config;
    private readonly ILogger _logger;
    private readonly MetadataQuorum _quorum;
    private readonly ControllerServer? _controller;
    private readonly KafkaListeners? _controllerListeners;
    private readonly CancellationTokenSource _controllerSessions;
    private readonly QuorumControllerClient _controllerClient;
    private readonly BrokerServer _broker;
    private AdminServer? _admin;
    private int _stopped;

    private RillNode(
        ServerConfig config,
        string clusterId,
        ILogger logger,
        MetadataQuorum quorum,
        MetadataLoader metadata,
        ControllerServer? controller,
        KafkaListeners? controllerListeners,
        CancellationTokenSource controllerSessions,
        QuorumControllerClient controllerClient,
        BrokerServer broker)
    {
        _controllerSessions = controllerSessions;
        _quorum = quorum;
        _controllerListeners = controllerListeners;
        _controllerClient = controllerClient;
        Metadata = metadata;
        _config = config;
        ClusterId = clusterId;
        _logger = logger;
        _controller = controller;
        _broker = broker;
    }

    public string ClusterId { get; }

    public int NodeId => _config.NodeId;

    /// <summary>The leader of the metadata quorum as this node knows it (the active controller); -1 while unknown.</summary>
    public int ActiveControllerId => _quorum.Leader.LeaderId;

    /// <summary>Whether this node is the active controller now.</summary>
    public bool IsActiveController => _controller?.Active is not null;

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
        IKafkaTransport clientTransport,
        TimeProvider time,
        Random random,
        ILoggerFactory loggerFactory,
        LogLevels? logLevels,
        CancellationToken cancellationToken)
    {
        var startedAt = time.GetTimestamp();
        var logger = loggerFactory.CreateLogger("Rill.Server");
        var clusterId = MetaProperties.LoadOrFormat(config);

        // The metadata quorum first: its controller listener must answer the other voters before this node can learn
        // what is committed, and the logs open only once the image holds everything committed (their topics' configs,
        // and which logs are strays).
        var metadata = new MetadataLoader(loggerFactory.CreateLogger<MetadataLoader>());
        var quorum = MetadataQuorum.Start(config, clusterId, metadata, clientTransport, time, random, loggerFactory);
        ControllerServer? controller = null;
        var controllerSessions = new CancellationTokenSource();
        KafkaListeners? controllerListeners = null;
        QuorumControllerClient? controllerClient = null;
        BrokerServer broker;
        try
        {
            if (config.ProcessRoles.HasFlag(ProcessRoles.Controller))
            {
                controller = ControllerServer.Start(config, clusterId, quorum, metadata, time, random, loggerFactory);
                controllerListeners = await StartControllerListenersAsync(config, controller, quorum, transport, time, loggerFactory, controllerSessions.Token, cancellationToken);
            }

            var voters = string.Join(",", config.QuorumVoters.Select(voter => $"{voter.NodeId}@{voter.Host}:{voter.Port}"));
            QuorumLog.WaitingForQuorum(logger, voters);
            await quorum.WaitForCatchUpAsync(cancellationToken);
            controllerClient = new QuorumControllerClient(config, quorum, controller, clientTransport, time, logger);
            broker = await BrokerServer.StartAsync(
                config, clusterId, metadata, controllerClient, [new DescribeQuorumHandler(controllerClient)], transport, clientTransport, time, loggerFactory, logLevels, cancellationToken);
        }
        catch
        {
            if (controllerClient is not null)
            {
                await controllerClient.DisposeAsync();
            }

            if (controllerListeners is not null)
            {
                await controllerListeners.StopAsync(CancellationToken.None);
                controllerListeners.Dispose();
            }

            if (controller is not null)
            {
                await controller.DisposeAsync();
            }

            await quorum.DisposeAsync();
            controllerSessions.Dispose();
            throw;
        }

        var node = new RillNode(config, clusterId, logger, quorum, metadata, controller, controllerListeners, controllerSessions, controllerClient, broker);
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

    private static async Task<KafkaListeners?> StartControllerListenersAsync(
        ServerConfig config,
        ControllerServer controller,
        MetadataQuorum quorum,
        IConnectionListenerFactory transport,
        TimeProvider time,
        ILoggerFactory loggerFactory,
        CancellationToken stopping,
        CancellationToken cancellationToken)
    {
        var listeners = config.Listeners.Where(listener => config.ControllerListenerNames.Contains(listener.Name)).ToList();
        if (listeners.Count == 0)
        {
            return null;
        }

        var dispatcher = new RequestDispatcher(ControllerApis.Create(controller, quorum.Raft));
        var metrics = new NetworkMetrics(new System.Diagnostics.Metrics.Meter(NodeMetrics.MeterName + ".Controller"));
        var pipeline = new RequestPipeline(dispatcher, time, metrics, loggerFactory.CreateLogger("Rill.Server.Network"));
        // Not held until the broker is unfenced (SessionConfig.Ready): the quorum and brokers' registrations, which the
        // broker's own start waits for, come through these listeners.
        var sessionConfig = new SessionConfig(config.SocketRequestMaxBytes, config.ConnectionsMaxIdleMs);
        return await KafkaListeners.StartAsync(listeners, pipeline, sessionConfig, transport, metrics, loggerFactory, stopping, cancellationToken);
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
        await _controllerClient.DisposeAsync();
        if (_controllerListeners is not null)
        {
            // The other voters keep their connections open (a held Fetch, say): end the sessions rather than wait for them.
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var stop = _controllerListeners.StopAsync(grace.Token);
            await _controllerSessions.CancelAsync();
            await stop;
            _controllerListeners.Dispose();
        }

        _controllerSessions.Dispose();

        if (_controller is not null)
        {
            await _controller.DisposeAsync();
        }

        await _quorum.DisposeAsync();
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
