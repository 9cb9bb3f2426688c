using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging.Abstractions;
using Rill.Common;
using Rill.Metadata;
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
    private readonly Pipe _requests;
    private readonly Pipe _responses;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _session;

    public InMemoryBroker(string topic, int partitions)
    {
        _dir = new TempDirectory("rill-bench-broker");
        var time = TimeProvider.System;
        _logs = new LogManager([_dir.Path], time, NullLoggerFactory.Instance);
        _metadataLog = new FileMetadataLog(_dir.Path, NullLogger<FileMetadataLog>.Instance);
        Controller = new MetadataController(_metadataLog, new MetadataControllerConfig(NodeId, partitions, 1), NullLogger<MetadataController>.Instance);
        Replicas = new ReplicaManager(NodeId, _logs, static (_, _) => LogConfig.Default, NullLogger<ReplicaManager>.Instance);
        Controller.Load();
        Controller.AddPublisher(Replicas);
        Controller.RegisterBroker(NodeId, Uuid.NewRandom(), [new BrokerEndpoint("PLAINTEXT", "localhost", 9092, 0)], rack: null);
        var created = Controller.CreateTopic(topic, partitions, 1, new Dictionary<string, string>(), validateOnly: false);
        if (created.ErrorCode != ErrorCode.None)
        {
            throw new InvalidOperationException($"cannot create {topic}: {created.ErrorCode}");
        }

        _meter = new Meter("Rill.Benchmarks");
        var topicMetrics = new TopicMetrics(_meter);
        Dispatcher = new RequestDispatcher(
        [
            new ProduceHandler(Controller, Replicas, topicMetrics),
            new FetchHandler(Controller, Replicas, time, topicMetrics),
        ]);

        // Default pipe options, as Kestrel's socket transport uses: continuations run on the thread pool.
        _requests = new Pipe();
        _responses = new Pipe();
        var session = new KafkaSession(
            new DuplexPipe(_requests.Reader, _responses.Writer),
            new ConnectionInfo("bench-1", RemoteEndPoint: null, LocalEndPoint: null, "PLAINTEXT"),
            Dispatcher,
            new SessionConfig(SocketRequestMaxBytes: 100 * 1024 * 1024, ConnectionsMaxIdleMs: 600_000),
            time,
            new NetworkMetrics(_meter),
            NullLogger.Instance);
        _session = Task.Run(() => session.RunAsync(_stopping.Token));
    }

    public MetadataController Controller { get; }

    public ReplicaManager Replicas { get; }

    public RequestDispatcher Dispatcher { get; }

    /// <summary>Sends one request frame and waits for its whole response frame; returns the response's size.</summary>
    public async ValueTask<int> RoundTripAsync(ReadOnlyMemory<byte> frame)
    {
        await _requests.Writer.WriteAsync(frame);
        var input = _responses.Reader;
        while (true)
        {
            var result = await input.ReadAsync();
            var buffer = result.Buffer;
            if (TryTakeFrame(ref buffer, out var size))
            {
                input.AdvanceTo(buffer.Start);
                return size;
            }

            if (result.IsCompleted)
            {
                throw new InvalidOperationException("the session closed the connection");
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
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
