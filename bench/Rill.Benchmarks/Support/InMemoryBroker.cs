using System.Buffers;
using System.IO.Pipelines;
using Rill.Config;
using Rill.Protocol.Framing;
using Rill.Protocol.Messages;
using Rill.Replication;
using Rill.Server;
using Rill.Server.Network;

namespace Rill.Benchmarks.Support;

/// <summary>
/// A real single-node broker, built by <see cref="RillNodeBuilder"/> as <c>rill serve</c> builds it, that the
/// benchmark drives without sockets: one <see cref="KafkaSession"/> over a pair of in-memory pipes set up as
/// Kestrel's socket transport sets them up, or a frame through the node's request pipeline on the calling thread
/// (<see cref="DirectPath"/>). The benchmark plays the client.
/// </summary>
public sealed class InMemoryBroker : IAsyncDisposable
{
    private const int NodeId = 1;

    private static readonly ConnectionInfo Connection = new("bench-1", RemoteEndPoint: null, LocalEndPoint: null, "PLAINTEXT");

    private readonly TempDirectory _dir;
    private readonly RillNode _node;
    private readonly BlockMemoryPool _pool;
    private readonly Pipe _requests;
    private readonly Pipe _responses;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _session;
    private readonly DirectPath _direct;

    private InMemoryBroker(TempDirectory dir, RillNode node)
    {
        _dir = dir;
        _node = node;

        // As Kestrel's socket transport sets them up: 4 KiB pooled blocks, continuations on the thread pool, and its
        // default limits (MaxRequestBufferSize 1 MiB for what the client sends, MaxResponseBufferSize 64 KiB back).
        _pool = new BlockMemoryPool();
        _requests = new Pipe(new PipeOptions(_pool, pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024,
            minimumSegmentSize: BlockMemoryPool.BlockSize, useSynchronizationContext: false));
        _responses = new Pipe(new PipeOptions(_pool, pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024,
            minimumSegmentSize: BlockMemoryPool.BlockSize, useSynchronizationContext: false));
        _direct = new DirectPath(node.Pipeline);
        _session = Task.Run(() => node.ServeConnectionAsync(new DuplexPipe(_requests.Reader, _responses.Writer), Connection, _stopping.Token));
    }

    public ReplicaManager Replicas => _node.Replicas;

    /// <summary>Starts the node in a temporary directory and creates <paramref name="topic"/> through the session.</summary>
    public static async Task<InMemoryBroker> StartAsync(string topic, int partitions)
    {
        var dir = new TempDirectory("rill-bench-broker");
        var config = ServerConfig.Load(
            null,
            new Dictionary<string, string>(),
            [$"node.id={NodeId}", $"log.dirs={dir.Path}", "listeners=PLAINTEXT://127.0.0.1:0", "admin.listener=127.0.0.1:0"]);
        var node = await new RillNodeBuilder(config).StartAsync(CancellationToken.None);
        var broker = new InMemoryBroker(dir, node);
        var create = new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }],
        };
        await broker.RoundTripAsync(Frames.Request(ApiKey.CreateTopics, 7, correlationId: 1, create));
        if (!node.Metadata.Image.Topics.ContainsKey(topic))
        {
            throw new InvalidOperationException($"cannot create {topic}");
        }

        return broker;
    }

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
        await _node.DisposeAsync();
        _pool.Dispose();
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
