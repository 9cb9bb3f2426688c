using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging.Abstractions;
using Rill.Common;
using Rill.Config;
using Rill.Metadata;
using Rill.Protocol.Messages;
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
    private readonly MetadataController _controller;
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
        var config = ServerConfig.Load(null, new Dictionary<string, string>(), [$"node.id={NodeId}"]);
        Metadata = new MetadataLoader(NullLogger<MetadataLoader>.Instance);
        Replicas = new ReplicaManager(config, _logs, NullLogger<ReplicaManager>.Instance);
        Metadata.Load(_metadataLog);
        Metadata.AddPublisher(Replicas);
        _controller = new MetadataController(_metadataLog, Metadata.Image, config, NullLogger<MetadataController>.Instance);

        // Set-up, not a measured path: the in-process controller completes each change before returning.
        var registration = new BrokerRegistrationRequest { BrokerId = NodeId, IncarnationId = Uuid.NewRandom() };
        registration.Listeners.Add(new BrokerRegistrationRequest.Listener { Name = "PLAINTEXT", Host = "localhost", Port = 9092 });
        _controller.RegisterBrokerAsync(registration, CancellationToken.None).GetAwaiter().GetResult();
        var create = new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }],
        };
        var created = _controller.CreateTopicsAsync(create, CancellationToken.None).GetAwaiter().GetResult().Response.Topics[0];
        if (created.ErrorCode != (short)ErrorCode.None)
        {
            throw new InvalidOperationException($"cannot create {topic}: {(ErrorCode)created.ErrorCode}");
        }

        // The node always runs its /metrics exporter, whose listener turns on every instrument: without it the
        // counters on the request path would cost nothing and the numbers would flatter the node.
        _meter = new Meter("Rill.Benchmarks");
        var topicMetrics = new TopicMetrics(_meter);
        Dispatcher = new RequestDispatcher(
        [
            new ProduceHandler(Metadata, Replicas, topicMetrics),
            new FetchHandler(Metadata, Replicas, time, topicMetrics),
        ]);

        // As Kestrel's socket transport sets them up: 4 KiB pooled blocks, continuations on the thread pool, and its
        // default limits (MaxRequestBufferSize 1 MiB for what the client sends, MaxResponseBufferSize 64 KiB back).
        _pool = new BlockMemoryPool();
        _requests = new Pipe(new PipeOptions(_pool, pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024,
            minimumSegmentSize: BlockMemoryPool.BlockSize, useSynchronizationContext: false));
        _responses = new Pipe(new PipeOptions(_pool, pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024,
            minimumSegmentSize: BlockMemoryPool.BlockSize, useSynchronizationContext: false));
        var session = new KafkaSession(
            new DuplexPipe(_requests.Reader, _responses.Writer),
            new ConnectionInfo("bench-1", RemoteEndPoint: null, LocalEndPoint: null, "PLAINTEXT"),
            Dispatcher,
            new SessionConfig(SocketRequestMaxBytes: 100 * 1024 * 1024, ConnectionsMaxIdleMs: 600_000),
            time,
            new NetworkMetrics(_meter),
            NullLogger.Instance);
        _exporter = new PrometheusExporter([_meter], NullLogger.Instance);
        _direct = new DirectPath(Dispatcher);
        _session = Task.Run(() => session.RunAsync(_stopping.Token));
    }

    public MetadataLoader Metadata { get; }

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
        _controller.Dispose();
        _metadataLog.Dispose();
        _pool.Dispose();
        _exporter.Dispose();
        _meter.Dispose();
        _stopping.Dispose();
        _dir.Dispose();
    }

    private static bool TryTakeFrame(ref ReadOnlySequence<byte> buffer, out int size)
    {
        size = 0;
        if (buffer.Length < 4)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        size = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (buffer.Length < 4L + size)
        {
            return false;
        }

        buffer = buffer.Slice(4L + size);
        return true;
    }
}
