using BenchmarkDotNet.Attributes;
using Rill.Benchmarks.Support;
using Rill.Common;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;

namespace Rill.Benchmarks.Server;

/// <summary>
/// A whole Produce v9 (acks=all) request of one or six 16 KiB uncompressed batches: frame -> header ->
/// ProduceHandler -> validation -> log append (page cache, no fsync) -> response bytes.
/// <see cref="Session"/> goes through a real <c>KafkaSession</c> over in-memory pipes, so it includes the pipe
/// copies and the thread-pool handoffs between the client, the session's read loop and its write loop (one
/// request in flight: a latency); <see cref="SessionPipelined"/> keeps five in flight, as producers do;
/// <see cref="Direct"/> runs the same steps on the calling thread (see <see cref="DirectPath"/>). The logs grow
/// within the <see cref="WriteBudgetAttribute"/>.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory(Categories.Server)]
[WriteBudget]
public class ProducePathBenchmarks
{
    /// <summary>Requests in flight for <see cref="SessionPipelined"/> (the Java client's default max.in.flight.requests.per.connection).</summary>
    public const int InFlight = 5;

    private const int TopicPartitions = 6;

    private InMemoryBroker _broker = null!;
    private byte[] _frame = null!;
    private byte[] _pipelined = null!;

    [Params(1, 6)]
    public int Partitions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _broker = new InMemoryBroker(Requests.Topic, TopicPartitions);
        var batch = RecordBatches.Build(RecordBatches.RecordsPer16KiB, CompressionCodec.None);
        _frame = Frames.Request(ApiKey.Produce, 9, correlationId: 1, Requests.Produce(Partitions, batch));
        _pipelined = Frames.Repeat(_frame, InFlight);
        _broker.Handle(_frame);
        if (!_broker.Replicas.TryGetPartition(new TopicPartition(Requests.Topic, 0), out var partition) || partition.LogEndOffset == 0)
        {
            throw new InvalidOperationException("the produce request appended nothing");
        }

        Warmup.Run(() => _broker.Handle(_frame));
        Warmup.Run(() => _broker.PipelineAsync(_pipelined, InFlight).AsTask().GetAwaiter().GetResult());
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _broker.DisposeAsync();

    [Benchmark]
    public ValueTask<int> Session() => _broker.RoundTripAsync(_frame);

    /// <summary>Five requests written at once, then five responses read: per-request cost with handoffs shared.</summary>
    [Benchmark(OperationsPerInvoke = InFlight)]
    public ValueTask<int> SessionPipelined() => _broker.PipelineAsync(_pipelined, InFlight);

    [Benchmark]
    public int Direct() => _broker.Handle(_frame);
}
