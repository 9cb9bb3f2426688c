using System.Buffers;
using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging.Abstractions;
using Rill.Common;
using Rill.Config;
using Rill.Metadata;
using Rill.Protocol.Framing;
using Rill.Replication;
using Rill.Server.Handlers;
using Rill.Server.Network;
using Rill.Server.Observability;
using Rill.Storage;

namespace Rill.Benchmarks.Support;

/// <summary>
/// A single-node broker without sockets: storage, metadata, the Produce and Fetch handlers and one
/// <see cref="KafkaSession"/> over a pair of in-memory pipes, composed as <c>RillNode</c> composes them
/// (minus Kestrel, groups, the admin listener and background maintenance). The benchmark plays the client.
/// </summary>
public sealed class InMemoryBroker : IAsyncDisposable
{
    private const int NodeId = 1;

    private readonly TempDirectory _dir;
    private readonly LogManager _logs;
    private readonly FileMetadataLog _metadataLog;
    private readonly Meter _meter;
    private readonly PrometheusExporter _exporter;
    private readonly BlockMemoryPool _pool;
    private readonly Pipe _requests;
    private readonly Pipe _responses;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _session;
    private readonly DirectPath _direct;

    public InMemoryBroker(string topic, int partitions)
    {
        _dir = new TempDirectory("rill-bench-broker");
        var time = TimeProvider.System;
        _logs = new LogManager([_dir.Path], time, NullLoggerFactory.Instance);
        _metadataLog = new FileMetadataLog(_dir.Path, NullLogger<FileMetadataLog>.Instance);
        Controller = new MetadataController(_metadataLog, new MetadataControllerConfig(NodeId, partitions, 1), NullLogger<MetadataController>.Instance);
        Replicas = new ReplicaManager(ServerConfig.Load(null, new Dictionary<string, string>(), [$"node.id={NodeId}"]), _logs, time, NullLogger<ReplicaManager>.Instance);
        Controller.Load();
        Controller.AddPublisher(Replicas);
        Controller.RegisterBroker(NodeId, Uuid.NewRandom(), [new BrokerEndpoint("PLAINTEXT", "localhost", 9092, 0)], rack: null);
        var created = Controller.CreateTopic(topic, partitions, 1, new Dictionary<string, string>(), validateOnly: false);
        if (created.ErrorCode != ErrorCode.None)
        {
            throw new InvalidOperationException($"cannot create {topic}: {created.ErrorCode}");
        }

        // The node always runs its /metrics exporter, whose listener turns on every instrument: without it the
        // counters on the request path would cost nothing and the numbers would flatter the node.
        _meter = new Meter("Rill.Benchmarks");
        var topicMetrics = new TopicMetrics(_meter);
        Dispatcher = new RequestDispatcher(
        [
            new ProduceHandler(Controller, Replicas, topicMetrics),
            new FetchHandler(Controller, Replicas, topicMetrics),
        ]);

        // As Kestrel's socket transport sets them up: 4 KiB pooled blocks, continuations on the thread pool, and its
        // default limits (MaxRequestBufferSize 1 MiB for what the client sends, MaxResponseBufferSize 64 KiB back).
        _pool = new BlockMemoryPool();
        _requests = new Pipe(new PipeOptions(_pool, pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024,
            minimumSegmentSize: BlockMemoryPool.BlockSize, useSynchronizationContext: false));
        _responses = new Pipe(new PipeOptions(_pool, pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024,
            minimumSegmentSize: BlockMemoryPool.BlockSize, useSynchronizationContext: false));
        var networkMetrics = new NetworkMetrics(_meter);
        var pipeline = new RequestPipeline(Dispatcher, time, networkMetrics, NullLogger.Instance);
        var session = new KafkaSession(
            new DuplexPipe(_requests.Reader, _responses.Writer),
            new ConnectionInfo("bench-1", RemoteEndPoint: null, LocalEndPoint: null, "PLAINTEXT"),
            pipeline,
            new SessionConfig(SocketRequestMaxBytes: 100 * 1024 * 1024, ConnectionsMaxIdleMs: 600_000),
            networkMetrics,
            NullLogger.Instance);
        _exporter = new PrometheusExporter([_meter], NullLogger.Instance);
        _direct = new DirectPath(pipeline);
        _session = Task.Run(() => session.RunAsync(_stopping.Token));
    }

    public MetadataController Controller { get; }

    public ReplicaManager Replicas { get; }

    public RequestDispatcher Dispatcher { get; }

    /// <summary>
    /// Takes one request frame (size prefix included) through <see cref="DirectPath"/> on the calling thread;
    /// returns the size of the response frame.
    /// </summary>
    public int Handle(ReadOnlySpan<byte> frame)
    {
        return _direct.Handle(frame);
    }

    /// <summary>Sends one request frame through the session and waits for its whole response frame; returns the response's size.</summary>
    public ValueTask<int> RoundTripAsync(ReadOnlyMemory<byte> frame) => PipelineAsync(frame, 1);

    /// <summary>
    /// Sends <paramref name="count"/> request frames written back to back in <paramref name="frames"/> at once, as a
    /// client with several requests in flight does, then reads as many responses; returns their total size.
    /// </summary>
    public async ValueTask<int> PipelineAsync(ReadOnlyMemory<byte> frames, int count)
    {
        await _requests.Writer.WriteAsync(frames);
        var input = _responses.Reader;
        var total = 0;
        while (count > 0)
        {
            var result = await input.ReadAsync();
            var buffer = result.Buffer;
            while (count > 0 && TryTakeFrame(ref buffer, out var size))
            {
                total += size;
                count--;
            }

            if (count > 0 && result.IsCompleted)
            {
                throw new InvalidOperationException("the session closed the connection");
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }

        return total;
    }

    public async ValueTask DisposeAsync()
    {
        await _requests.Writer.CompleteAsync();
        await _stopping.CancelAsync();
        await _session;
        await _responses.Reader.CompleteAsync();
        _logs.Shutdown();
        _logs.Dispose();
        _metadataLog.Dispose();
        _pool.Dispose();
        _exporter.Dispose();
        _meter.Dispose();
        _stopping.Dispose();
        _dir.Dispose();
    }

    private static bool TryTakeFrame(ref ReadOnlySequence<byte> buffer, out int size)
    {
        var status = FrameReader.TryReadFrame(ref buffer, FrameReader.MinimumResponseFrameSize, int.MaxValue, out _, out size);
        if (status == FrameStatus.InvalidSize)
        {
            throw new InvalidOperationException($"the session sent a response frame of {size} bytes");
        }

        return status == FrameStatus.Complete;
    }
}
