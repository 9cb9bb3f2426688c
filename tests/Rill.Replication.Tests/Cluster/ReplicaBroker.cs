using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Rill.Config;
using Rill.Metadata;
using Rill.Server.Handlers;
using Rill.Server.Network;
using Rill.Server.Observability;
using Rill.Storage;
using Rill.TestKit;
using Rill.TestKit.Network;

namespace Rill.Replication.Tests.Cluster;

/// <summary>
/// One broker of a <see cref="ReplicationCluster"/>: its data directory, log manager and replica manager, with the real
/// Fetch, ListOffsets and OffsetForLeaderEpoch handlers behind a Kafka listener on the in-memory network, so that the
/// other brokers' replica fetchers talk to it as they would over sockets. Its own fetchers connect from host
/// <c>node-{id}</c>. The metadata is what the test publishes to it.
/// </summary>
internal sealed class ReplicaBroker : IAsyncDisposable
{
    private readonly Meter _meter;
    private readonly KafkaListeners _listeners;
    private readonly CancellationTokenSource _stopping;
    private MetadataImage _image = MetadataImage.Empty;

    private ReplicaBroker(int id, TempDirectory dir, ServerConfig config, LogManager logs, ReplicaManager replicas, Meter meter, KafkaListeners listeners, CancellationTokenSource stopping)
    {
        Id = id;
        Dir = dir;
        Config = config;
        Logs = logs;
        Replicas = replicas;
        _meter = meter;
        _listeners = listeners;
        _stopping = stopping;
    }

    public int Id { get; }

    public TempDirectory Dir { get; }

    public ServerConfig Config { get; }

    public LogManager Logs { get; }

    public ReplicaManager Replicas { get; }

    public string Host => HostOf(Id);

    public int Port => _listeners.Bound[0].Port;

    public MetadataImage Image => Volatile.Read(ref _image);

    public static string HostOf(int id) => $"node-{id}";

    /// <summary>Starts broker <paramref name="id"/> over <paramref name="dir"/> (kept when the broker stops, for a restart).</summary>
    public static async Task<ReplicaBroker> StartAsync(
        int id, TempDirectory dir, InMemoryNetwork network, TimeProvider time, IAlterPartitionSender alterPartition, IReadOnlyList<string> overrides)
    {
        var config = ServerConfig.Load(
            null,
            new Dictionary<string, string>(),
            [$"node.id={id}", $"log.dirs={dir.Path}", "listeners=PLAINTEXT://127.0.0.1:0", .. overrides]);
        var logs = new LogManager(config.LogDirs, time, NullLoggerFactory.Instance);
        var replicas = new ReplicaManager(config, logs, network.TransportFor(HostOf(id)), alterPartition, time, NullLoggerFactory.Instance);
        var meter = new Meter($"Rill.Replication.Tests.{id}.{Guid.NewGuid():N}");
        var stopping = new CancellationTokenSource();
        var view = new ImageHolder();
        var topicMetrics = new TopicMetrics(meter);
        var dispatcher = new RequestDispatcher(
        [
            new FetchHandler(view, replicas, topicMetrics),
            new ListOffsetsHandler(view, replicas),
            new OffsetForLeaderEpochHandler(view, replicas),
            new ProduceHandler(view, replicas, topicMetrics),
        ]);
        var networkMetrics = new NetworkMetrics(meter);
        var pipeline = new RequestPipeline(dispatcher, time, networkMetrics, NullLogger.Instance);
        var listeners = await KafkaListeners.StartAsync(
            config.Listeners,
            pipeline,
            new SessionConfig(config.SocketRequestMaxBytes, config.ConnectionsMaxIdleMs),
            network.ListenerFactory(HostOf(id)),
            networkMetrics,
            NullLoggerFactory.Instance,
            stopping.Token,
            CancellationToken.None);
        var broker = new ReplicaBroker(id, dir, config, logs, replicas, meter, listeners, stopping);
        view.Broker = broker;
        return broker;
    }

    /// <summary>Hands the broker a new image, as its metadata loader would.</summary>
    public void Publish(MetadataImage image)
    {
        var previous = Image;
        Volatile.Write(ref _image, image);
        Replicas.Publish(previous, image);
    }

    /// <summary>Stops the broker as a clean shutdown does; its data directory stays.</summary>
    public async ValueTask DisposeAsync()
    {
        // The fetchers first: their connections to the other brokers close, and long polls here answer at once.
        await Replicas.DisposeAsync();
        await _stopping.CancelAsync();
        // Other brokers' long polls wait for the fake clock; a short grace ends their connections rather than waiting.
        using (var grace = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
        {
            await _listeners.StopAsync(grace.Token);
        }

        _listeners.Dispose();
        Logs.Shutdown();
        Logs.Dispose();
        _meter.Dispose();
        _stopping.Dispose();
    }

    /// <summary>The handlers are built before the broker exists; they read its image through this.</summary>
    private sealed class ImageHolder : IMetadataView
    {
        public ReplicaBroker? Broker { get; set; }

        public MetadataImage Image => Broker?.Image ?? MetadataImage.Empty;
    }
}
