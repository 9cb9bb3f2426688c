using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rill.Common;
using Rill.Config;
using Rill.Coordinator;
using Rill.Protocol.Messages;
using Rill.Server.Configuration;
using Rill.Server.Groups;
using Rill.Metadata;
using Rill.Replication;
using Rill.Server.Handlers;
using Rill.Server.Network;
using Rill.Server.Observability;
using Rill.Storage;

namespace Rill.Server;

/// <summary>
/// One Rill process in combined mode: broker and controller. Composes storage, metadata, partitions and the
/// network listeners, and takes them down in the reverse order.
/// </summary>
public sealed class RillNode : IAsyncDisposable
{
    private static readonly TimeSpan CompactionBackoff = TimeSpan.FromSeconds(15);


    private readonly ServerConfig _config;
    private readonly ILogger _logger;
    private readonly LogManager _logs;
    private readonly IMetadataLog _metadataLog;
    private readonly MetadataController _controller;
    private readonly KestrelServer _kestrel;
    private readonly CancellationTokenSource _stopping;
    private readonly Task _maintenance;
    private readonly GroupCoordinator _groups;
    private readonly CoordinatorPublisher _groupLoads;
    private readonly NodeMetrics _metrics;
    private readonly NodeHealth _health;
    private AdminServer? _admin;
    private int _stopped;

    private RillNode(
        ServerConfig config,
        string clusterId,
        ILogger logger,
        LogManager logs,
        IMetadataLog metadataLog,
        MetadataLoader metadata,
        MetadataController controller,
        ReplicaManager replicas,
        KestrelServer kestrel,
        CancellationTokenSource stopping,
        IReadOnlyList<ListenerEndpoint> boundListeners,
        Task maintenance,
        GroupCoordinator groups,
        CoordinatorPublisher groupLoads,
        NodeMetrics metrics,
        NodeHealth health)
    {
        _metrics = metrics;
        _health = health;
        _groups = groups;
        _groupLoads = groupLoads;
        _config = config;
        ClusterId = clusterId;
        _logger = logger;
        _logs = logs;
        _metadataLog = metadataLog;
        Metadata = metadata;
        _controller = controller;
        Replicas = replicas;
        _kestrel = kestrel;
        _stopping = stopping;
        BoundListeners = boundListeners;
        _maintenance = maintenance;
    }

    public string ClusterId { get; }

    /// <summary>The metadata image this node serves.</summary>
    public IMetadataView Metadata { get; }

    public ReplicaManager Replicas { get; }

    /// <summary>The listeners with the ports actually bound (port 0 in the config becomes a real port).</summary>
    public IReadOnlyList<ListenerEndpoint> BoundListeners { get; }

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

    /// <param name="logLevels">The levels <paramref name="loggerFactory"/> follows, changed through BROKER_LOGGER; null leaves that resource unavailable.</param>
    public static async Task<RillNode> StartAsync(
        ServerConfig config, ILoggerFactory loggerFactory, TimeProvider time, CancellationToken cancellationToken, LogLevels? logLevels = null)
    {
        var startedAt = time.GetTimestamp();
        var logger = loggerFactory.CreateLogger("Rill.Server");
        var clusterId = MetaProperties.LoadOrFormat(config.LogDirs, config.NodeId, config.ClusterId);

        var logs = new LogManager(config.LogDirs, time, loggerFactory);
        var metadataLog = new FileMetadataLog(config.LogDirs[0], loggerFactory.CreateLogger<FileMetadataLog>());
        var metadata = new MetadataLoader(loggerFactory.CreateLogger<MetadataLoader>());
        var replicas = new ReplicaManager(config, logs, loggerFactory.CreateLogger<ReplicaManager>());

        // Metadata first, so that logs open with their topics' configs; then the replica manager takes the
        // image and removes logs of topics the metadata no longer has.
        metadata.Load(metadataLog);
        metadata.AddPublisher(new DynamicConfigLogPublisher(config.NodeId, loggerFactory.CreateLogger("Rill.Server.Configuration")));
        logs.LoadLogs(tp => replicas.LogConfigOf(metadata.Image, tp.Topic));
        metadata.AddPublisher(replicas);

        // Combined mode: this node is the only controller, so it is the active one from the start, on what the
        // loader read from the log.
        var controller = new MetadataController(metadataLog, metadata.Image, config, loggerFactory.CreateLogger<MetadataController>());
        IControllerClient controllerClient = new LocalControllerClient(controller);
        replicas.DeleteStrayLogs();

        var groups = new GroupCoordinator(
            GroupCoordinatorConfigOf(config),
            new CoordinatorLog(replicas, metadata),
            () => metadata.Image,
            time,
            loggerFactory);
        var groupLoads = new CoordinatorPublisher(groups, config.NodeId, loggerFactory.CreateLogger<CoordinatorPublisher>());
        metadata.AddPublisher(groupLoads);
        var offsetsTopic = new OffsetsTopic(metadata, controllerClient, config);
        var loadTime = time.GetElapsedTime(startedAt);
        ServerLog.StorageLoaded(logger, replicas.PartitionCount, loadTime);

        var metrics = new NodeMetrics(replicas, groups, loggerFactory);
        var health = new NodeHealth(logs);
        var stopping = new CancellationTokenSource();
        var dispatcher = new RequestDispatcher(CreateHandlers(config, clusterId, metadata, controllerClient, replicas, groups, offsetsTopic, metrics.Topics, time, loggerFactory, logLevels));
        var sessionConfig = new SessionConfig(config.SocketRequestMaxBytes, config.ConnectionsMaxIdleMs)
        {
            Budget = new RequestBudget(config.QueuedMaxRequestBytes),
        };
        var kestrel = CreateKestrel(config, dispatcher, sessionConfig, metrics.Network, time, loggerFactory, stopping.Token);
        await kestrel.StartAsync(new NoHttpApplication(), cancellationToken);
        var bound = BoundListenersOf(config, kestrel);

        var advertised = AdvertisedEndpoints(config, bound);
        // Not cancellable, as before the listeners accepted: once they do, a stop is a graceful stop of a started node,
        // and the in-process controller answers at once.
        await RegisterAsync(controllerClient, config.NodeId, clusterId, advertised, CancellationToken.None);

        var maintenance = RunMaintenanceAsync(config, logs, time, logger, stopping.Token);
        var node = new RillNode(
            config, clusterId, logger, logs, metadataLog, metadata, controller, replicas, kestrel, stopping, bound, maintenance, groups, groupLoads, metrics, health);
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

        health.MarkReady();
        var startTime = time.GetElapsedTime(startedAt);
        ServerLog.Started(
            logger,
            config.NodeId,
            startTime,
            clusterId,
            bound);
        return node;
    }

    /// <summary>Stops accepting, lets in-flight requests finish, flushes and checkpoints the logs, writes the clean-shutdown marker.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        _health.MarkStopping();
        if (_admin is not null)
        {
            await _admin.StopAsync();
        }

        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            var stop = _kestrel.StopAsync(grace.Token);
            await _stopping.CancelAsync();
            await stop;
        }

        await _maintenance;
        await _groupLoads.AllLoads;
        await _groups.DisposeAsync();
        _logs.Shutdown();
        _metadataLog.Dispose();
        _controller.Dispose();
        ServerLog.Stopped(_logger, _config.NodeId);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_admin is not null)
        {
            await _admin.DisposeAsync();
        }

        _kestrel.Dispose();
        _logs.Dispose();
        _stopping.Dispose();
        _metrics.Dispose();
    }

    private static IEnumerable<IApiHandler> CreateHandlers(
        ServerConfig config,
        string clusterId,
        IMetadataView metadata,
        IControllerClient controller,
        ReplicaManager replicas,
        GroupCoordinator groups,
        OffsetsTopic offsetsTopic,
        TopicMetrics topicMetrics,
        TimeProvider time,
        ILoggerFactory loggerFactory,
        LogLevels? logLevels)
    {
        var logger = loggerFactory.CreateLogger("Rill.Server.Handlers");
        yield return new FindCoordinatorHandler(metadata, groups, offsetsTopic, config.NodeId);
        yield return new GroupApiHandler<JoinGroupRequest, JoinGroupResponse>(0, groups.JoinGroupAsync);
        yield return new GroupApiHandler<SyncGroupRequest, SyncGroupResponse>(0, groups.SyncGroupAsync);
        yield return new GroupApiHandler<HeartbeatRequest, HeartbeatResponse>(0, groups.HeartbeatAsync);
        yield return new GroupApiHandler<LeaveGroupRequest, LeaveGroupResponse>(0, groups.LeaveGroupAsync);
        yield return new GroupApiHandler<OffsetCommitRequest, OffsetCommitResponse>(2, groups.OffsetCommitAsync);
        yield return new GroupApiHandler<OffsetFetchRequest, OffsetFetchResponse>(1, groups.OffsetFetchAsync);
        yield return new GroupApiHandler<ListGroupsRequest, ListGroupsResponse>(0, groups.ListGroupsAsync);
        yield return new GroupApiHandler<DescribeGroupsRequest, DescribeGroupsResponse>(0, groups.DescribeGroupsAsync);
        yield return new GroupApiHandler<DeleteGroupsRequest, DeleteGroupsResponse>(0, groups.DeleteGroupsAsync);
        yield return new GroupApiHandler<OffsetDeleteRequest, OffsetDeleteResponse>(0, groups.OffsetDeleteAsync);
        yield return new ProduceHandler(metadata, replicas, topicMetrics);
        yield return new FetchHandler(metadata, replicas, time, topicMetrics);
        yield return new ListOffsetsHandler(metadata, replicas);
        yield return new MetadataHandler(metadata, controller, config, clusterId, logger);
        yield return new CreateTopicsHandler(controller);
        yield return new DeleteTopicsHandler(controller);
        yield return new DescribeConfigsHandler(metadata, config, logLevels);
        yield return new CreatePartitionsHandler(controller);
        yield return new DescribeClusterHandler(metadata, config, clusterId);
        yield return new AlterConfigsHandler(controller, config);
        yield return new IncrementalAlterConfigsHandler(controller, config, logLevels);
        yield return new DeleteRecordsHandler(metadata, replicas);
        yield return new DescribeLogDirsHandler(replicas, config);
    }

    private static GroupCoordinatorConfig GroupCoordinatorConfigOf(ServerConfig config) => new(
        OffsetsTopicPartitions: config.OffsetsTopicNumPartitions,
        GroupMinSessionTimeoutMs: config.GroupMinSessionTimeoutMs,
        GroupMaxSessionTimeoutMs: config.GroupMaxSessionTimeoutMs,
        GroupInitialRebalanceDelayMs: config.GroupInitialRebalanceDelayMs,
        OffsetsRetentionMs: config.OffsetsRetentionMinutes * 60_000L,
        OffsetsRetentionCheckIntervalMs: config.OffsetsRetentionCheckIntervalMs,
        OffsetMetadataMaxBytes: config.OffsetMetadataMaxBytes,
        GroupMaxSize: config.GroupMaxSize);

    private static KestrelServer CreateKestrel(
        ServerConfig config,
        RequestDispatcher dispatcher,
        SessionConfig sessionConfig,
        NetworkMetrics networkMetrics,
        TimeProvider time,
        ILoggerFactory loggerFactory,
        CancellationToken stopping)
    {
        var options = new KestrelServerOptions
        {
            ApplicationServices = new ServiceCollection().AddSingleton(loggerFactory).BuildServiceProvider(),
            AddServerHeader = false,
        };
        options.Limits.MaxConcurrentConnections = null;
        var sessionLogger = loggerFactory.CreateLogger("Rill.Server.Network");
        foreach (var listener in config.Listeners)
        {
            var handler = new KafkaConnectionHandler(dispatcher, sessionConfig, listener.Name, time, networkMetrics, sessionLogger, stopping);
            options.Listen(EndPointOf(listener.Host, listener.Port), listen => listen.Run(handler.OnConnectedAsync));
        }

        var transport = new SocketTransportFactory(Options.Create(new SocketTransportOptions()), loggerFactory);
        return new KestrelServer(Options.Create(options), transport, loggerFactory);
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
                EndPointOf(listen.Host, listen.Port),
                _metrics.Exporter,
                _metrics.BeforeScrapeAsync,
                _health,
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

    private static IPEndPoint EndPointOf(string host, int port)
    {
        if (host is "" or "0.0.0.0")
        {
            return new IPEndPoint(IPAddress.Any, port);
        }

        if (IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            return new IPEndPoint(address, port);
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        var resolved = Dns.GetHostAddresses(host);
        return new IPEndPoint(resolved.First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork), port);
    }

    private static List<ListenerEndpoint> BoundListenersOf(ServerConfig config, KestrelServer kestrel)
    {
        var addresses = kestrel.Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        var bound = new List<ListenerEndpoint>(config.Listeners.Count);
        for (var i = 0; i < config.Listeners.Count; i++)
        {
            var listener = config.Listeners[i];
            var port = listener.Port;
            if (port == 0 && i < addresses.Count && Uri.TryCreate(addresses[i], UriKind.Absolute, out var uri))
            {
                port = uri.Port;
            }

            bound.Add(listener with { Port = port });
        }

        return bound;
    }

    // The broker registers its advertised endpoints with the controller as a BrokerRegistration request would carry them.
    private static async Task RegisterAsync(
        IControllerClient controller, int nodeId, string clusterId, List<BrokerEndpoint> endpoints, CancellationToken cancellationToken)
    {
        var request = new BrokerRegistrationRequest { BrokerId = nodeId, ClusterId = clusterId, IncarnationId = Uuid.NewRandom() };
        request.Listeners.AddRange(endpoints.Select(e => new BrokerRegistrationRequest.Listener
        {
            Name = e.Name,
            Host = e.Host,
            Port = (ushort)e.Port,
            SecurityProtocol = e.SecurityProtocol,
        }));
        var response = await controller.RegisterBrokerAsync(request, cancellationToken);
        if (response.ErrorCode != (short)ErrorCode.None)
        {
            throw new KafkaException((ErrorCode)response.ErrorCode, $"Broker {nodeId} could not register with the controller.");
        }
    }

    private static List<BrokerEndpoint> AdvertisedEndpoints(ServerConfig config, List<ListenerEndpoint> bound)
    {
        var endpoints = new List<BrokerEndpoint>();
        foreach (var listener in bound)
        {
            var advertised = config.AdvertisedListeners.FirstOrDefault(a => a.Name == listener.Name) ?? listener;
            var host = advertised.Host is "" or "0.0.0.0" or "::" ? Dns.GetHostName() : advertised.Host;
            var port = advertised.Port == 0 ? listener.Port : advertised.Port;
            endpoints.Add(new BrokerEndpoint(listener.Name, host, port, (short)advertised.SecurityProtocol));
        }

        return endpoints;
    }

    /// <summary>
    /// Flushes what the flush policy asks for about once a second, checkpoints recovery points every
    /// <c>log.flush.offset.checkpoint.interval.ms</c> (so a crash rescans little), applies retention every
    /// <c>log.retention.check.interval.ms</c>, and compacts dirty compacted logs every 15 s (Kafka's
    /// <c>log.cleaner.backoff.ms</c>). One loop, so these never run concurrently with each other.
    /// </summary>
    private static async Task RunMaintenanceAsync(ServerConfig config, LogManager logs, TimeProvider time, ILogger logger, CancellationToken stopping)
    {
        var period = TimeSpan.FromMilliseconds(Math.Min(1_000, Math.Min(config.LogRetentionCheckIntervalMs, config.LogFlushOffsetCheckpointIntervalMs)));
        using var timer = new PeriodicTimer(period, time);
        var lastRetention = time.GetTimestamp();
        var lastCheckpoint = lastRetention;
        var lastCompaction = lastRetention;
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                try
                {
                    logs.FlushDirty();
                    if (time.GetElapsedTime(lastCheckpoint).TotalMilliseconds >= config.LogFlushOffsetCheckpointIntervalMs)
                    {
                        lastCheckpoint = time.GetTimestamp();
                        logs.WriteCheckpoints();
                    }

                    if (time.GetElapsedTime(lastRetention).TotalMilliseconds >= config.LogRetentionCheckIntervalMs)
                    {
                        lastRetention = time.GetTimestamp();
                        logs.RunRetention();
                    }

                    if (time.GetElapsedTime(lastCompaction) >= CompactionBackoff)
                    {
                        lastCompaction = time.GetTimestamp();
                        logs.RunCompaction();
                    }
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    ServerLog.BackgroundTaskFailed(logger, exception, "log maintenance");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutdown.
        }
    }

    /// <summary>Kestrel wants an HTTP application even when every endpoint speaks Kafka; this one is never called.</summary>
    private sealed class NoHttpApplication : IHttpApplication<object>
    {
        public object CreateContext(IFeatureCollection contextFeatures) =>
            throw new InvalidOperationException("Kafka listeners carry no HTTP requests.");

        public Task ProcessRequestAsync(object context) => Task.CompletedTask;

        public void DisposeContext(object context, Exception? exception)
        {
        }
    }
}
