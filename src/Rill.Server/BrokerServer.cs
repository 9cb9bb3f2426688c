using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Rill.Client;
using Rill.Common;
using Rill.Config;
using Rill.Coordinator;
using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Replication;
using Rill.Server.Configuration;
using Rill.Server.Groups;
using Rill.Server.Handlers;
using Rill.Server.Network;
using Rill.Server.Observability;
using Rill.Server.Replication;
using Rill.Storage;

namespace Rill.Server;

/// <summary>
/// The broker role of a node: partition logs and the replica manager kept in step with the metadata image, the
/// group coordinator, the request handlers behind the Kafka listeners, and the log maintenance loop. Stops in
/// the reverse order it started.
/// </summary>
public sealed class BrokerServer : IAsyncDisposable
{
    private readonly ServerConfig _config;
    private readonly LogManager _logs;
    private readonly KafkaListeners _listeners;
    private readonly RequestPipeline _pipeline;
    private readonly SessionConfig _sessionConfig;
    private readonly ILogger _sessionLogger;
    private readonly CancellationTokenSource _stopping;
    private readonly Task _maintenance;
    private readonly GroupCoordinator _groups;
    private readonly CoordinatorPublisher _groupLoads;
    private int _stopped;

    private BrokerServer(
        ServerConfig config,
        LogManager logs,
        ReplicaManager replicas,
        GroupCoordinator groups,
        CoordinatorPublisher groupLoads,
        BrokerLifecycleManager lifecycle,
        NodeMetrics metrics,
        NodeHealth health,
        KafkaListeners listeners,
        RequestPipeline pipeline,
        SessionConfig sessionConfig,
        CancellationTokenSource stopping,
        Task maintenance,
        ILoggerFactory loggerFactory)
    {
        _pipeline = pipeline;
        _sessionConfig = sessionConfig;
        _sessionLogger = loggerFactory.CreateLogger("Rill.Server.Network");
        _config = config;
        _logs = logs;
        Replicas = replicas;
        _groups = groups;
        _groupLoads = groupLoads;
        Lifecycle = lifecycle;
        Metrics = metrics;
        Health = health;
        _listeners = listeners;
        _stopping = stopping;
        _maintenance = maintenance;
    }

    public ReplicaManager Replicas { get; }

    /// <summary>This broker's registration and heartbeats at the active controller.</summary>
    public BrokerLifecycleManager Lifecycle { get; }

    /// <summary>Header decode, dispatch and response framing, shared by every connection.</summary>
    public RequestPipeline Pipeline => _pipeline;

    public NodeMetrics Metrics { get; }

    public NodeHealth Health { get; }

    /// <summary>The listeners with the ports actually bound (port 0 in the config becomes a real port).</summary>
    public IReadOnlyList<ListenerEndpoint> BoundListeners => _listeners.Bound;

    /// <summary>
    /// Loads the logs, starts the coordinator and the listeners, registers this broker with the controller and
    /// returns once the controller has unfenced it, so that its partitions are led when the start completes.
    /// </summary>
    /// <param name="metadata">The loader over the committed metadata; its image has caught up with the quorum already.</param>
    /// <param name="quorumHandlers">The metadata quorum's requests a broker listener also serves (DescribeQuorum).</param>
    public static async Task<BrokerServer> StartAsync(
        ServerConfig config,
        string clusterId,
        MetadataLoader metadata,
        IControllerClient controller,
        IEnumerable<IApiHandler> quorumHandlers,
        IConnectionListenerFactory transport,
        IKafkaTransport clientTransport,
        TimeProvider time,
        ILoggerFactory loggerFactory,
        LogLevels? logLevels,
        CancellationToken cancellationToken)
    {
        var startedAt = time.GetTimestamp();
        var logger = loggerFactory.CreateLogger("Rill.Server");
        var logs = new LogManager(config.LogDirs, time, loggerFactory);
        var replicas = new ReplicaManager(config, logs, clientTransport, new ControllerAlterPartitionSender(controller), time, loggerFactory);

        // Logs open with their topics' configs from the loaded image; then the replica manager takes the image and
        // removes logs of topics the metadata no longer has.
        metadata.AddPublisher(new DynamicConfigLogPublisher(config.NodeId, loggerFactory.CreateLogger("Rill.Server.Configuration")));
        logs.LoadLogs(tp => replicas.LogConfigOf(metadata.Image, tp.Topic));
        metadata.AddPublisher(replicas);
        replicas.DeleteStrayLogs();

        var groups = new GroupCoordinator(
            GroupCoordinatorConfigOf(config),
            new CoordinatorLog(replicas, metadata),
            () => metadata.Image,
            time,
            loggerFactory);
        var groupLoads = new CoordinatorPublisher(groups, config.NodeId, loggerFactory.CreateLogger<CoordinatorPublisher>());
        metadata.AddPublisher(groupLoads);
        var offsetsTopic = new OffsetsTopic(metadata, controller, config);
        var loadTime = time.GetElapsedTime(startedAt);
        ServerLog.StorageLoaded(logger, replicas.PartitionCount, loadTime);

        var metrics = new NodeMetrics(replicas, groups, loggerFactory);
        var health = new NodeHealth(logs);
        var stopping = new CancellationTokenSource();
        var dispatcher = new RequestDispatcher(
            CreateHandlers(config, clusterId, metadata, controller, replicas, groups, offsetsTopic, metrics.Topics, loggerFactory, logLevels).Concat(quorumHandlers));
        var pipeline = new RequestPipeline(dispatcher, time, metrics.Network, loggerFactory.CreateLogger("Rill.Server.Network"));
        var lifecycle = new BrokerLifecycleManager(config, clusterId, controller, metadata, time, loggerFactory.CreateLogger<BrokerLifecycleManager>());
        var sessionConfig = new SessionConfig(config.SocketRequestMaxBytes, config.ConnectionsMaxIdleMs)
        {
            Budget = new RequestBudget(config.QueuedMaxRequestBytes),
            Ready = lifecycle.Unfenced,
        };
        KafkaListeners? listeners = null;
        try
        {
            listeners = await KafkaListeners.StartAsync(
                [.. config.Listeners.Where(listener => !config.ControllerListenerNames.Contains(listener.Name))], pipeline, sessionConfig, transport, metrics.Network, loggerFactory, stopping.Token, cancellationToken);

            // Not cancellable: once the listeners accept, a stop is a graceful stop of a started node. It ends by a
            // refusal the node cannot get past (another cluster, another live broker with this node.id).
            await lifecycle.StartAsync(AdvertisedEndpoints(config, listeners.Bound), CancellationToken.None);
        }
        catch
        {
            await lifecycle.DisposeAsync();
            if (listeners is not null)
            {
                await listeners.StopAsync(CancellationToken.None);
                listeners.Dispose();
            }

            await groups.DisposeAsync();
            await replicas.DisposeAsync();
            logs.Shutdown();
            logs.Dispose();
            stopping.Dispose();
            metrics.Dispose();
            throw;
        }

        var maintenance = LogMaintenance.RunAsync(config, logs, time, logger, stopping.Token);
        return new BrokerServer(config, logs, replicas, groups, groupLoads, lifecycle, metrics, health, listeners, pipeline, sessionConfig, stopping, maintenance, loggerFactory);
    }

    /// <summary>
    /// Serves one connection over <paramref name="transport"/> as if a listener had accepted it, through the same
    /// pipeline and limits: benchmarks and tests drive a real node this way without a socket.
    /// </summary>
    public Task ServeConnectionAsync(IDuplexPipe transport, ConnectionInfo connection, CancellationToken cancellationToken) =>
        new KafkaSession(transport, connection, _pipeline, _sessionConfig, Metrics.Network, _sessionLogger).RunAsync(cancellationToken);

    /// <summary>
    /// Moves this broker's leaderships away (controlled shutdown), stops accepting, lets in-flight requests finish,
    /// flushes and checkpoints the logs, writes the clean-shutdown marker.
    /// </summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await Lifecycle.ControlledShutdownAsync();

        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            var stop = _listeners.StopAsync(grace.Token);
            await _stopping.CancelAsync();
            await stop;
        }

        await _maintenance;
        await _groupLoads.AllLoads;
        await _groups.DisposeAsync();

        // Fetchers stop before the logs close: none appends to a closed log.
        await Replicas.DisposeAsync();
        await Lifecycle.DisposeAsync();
        _logs.Shutdown();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _listeners.Dispose();
        _logs.Dispose();
        _stopping.Dispose();
        Metrics.Dispose();
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
        yield return new FetchHandler(metadata, replicas, topicMetrics);
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
        yield return new OffsetForLeaderEpochHandler(metadata, replicas);
        yield return new DescribeLogDirsHandler(replicas, config);
        yield return new ElectLeadersHandler(controller);
        yield return new AlterPartitionReassignmentsHandler(controller);
        yield return new ListPartitionReassignmentsHandler(controller);
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

    private static List<BrokerEndpoint> AdvertisedEndpoints(ServerConfig config, IReadOnlyList<ListenerEndpoint> bound)
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
}
