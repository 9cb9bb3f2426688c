using BenchmarkDotNet.Attributes;
using Rill.Benchmarks.Support;
using Rill.Common;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;
using Rill.Storage;

namespace Rill.Benchmarks.Server;

/// <summary>
/// A whole Fetch v12 request of one or six partitions, 64 KiB each, from the middle of 4 MiB logs: frame ->
/// header -> FetchHandler -> Log.Read (pooled buffers) -> response bytes (records copied into the output).
/// <see cref="Session"/> runs over a <c>KafkaSession</c> and in-memory pipes, one request in flight;
/// <see cref="SessionPipelined"/> five at once; <see cref="Direct"/> on the calling thread.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory(Categories.Server)]
public class FetchPathBenchmarks
{
    /// <summary>Requests in flight for <see cref="SessionPipelined"/> (the Java client's default max.in.flight.requests.per.connection).</summary>
    public const int InFlight = 5;

    private const int TopicPartitions = 6;
    private const int PartitionLogBytes = 4 * 1024 * 1024;
    private const int PartitionMaxBytes = 64 * 1024;

    private InMemoryBroker _broker = null!;
    private byte[] _frame = null!;
    private byte[] _pipelined = null!;

    [Params(1, 6)]
    public int Partitions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _broker = new InMemoryBroker(Requests.Topic, TopicPartitions);
        var batch = RecordBatches.Build(100, CompressionCodec.None);
        var logEndOffset = 0L;
        for (var p = 0; p < TopicPartitions; p++)
        {
            if (!_broker.Replicas.TryGetPartition(new TopicPartition(Requests.Topic, p), out var partition))
            {
                throw new InvalidOperationException($"partition {p} is missing");
            }

            while (partition.SizeInBytes < PartitionLogBytes)
            {
                RecordBatch.SetBaseOffset(batch, 0);
                partition.AppendRecordsToLeader(batch, AppendOrigin.Client, requiredAcks: 1, out _);
            }

            logEndOffset = partition.LogEndOffset;
        }

        _frame = Frames.Request(ApiKey.Fetch, 12, correlationId: 1, Requests.Fetch(Partitions, logEndOffset / 2 / 100 * 100, PartitionMaxBytes));
        _pipelined = Frames.Repeat(_frame, InFlight);
        var size = _broker.Handle(_frame);
        if (size < Partitions * (PartitionMaxBytes / 2))
        {
            throw new InvalidOperationException($"the fetch answered only {size} bytes");
        }
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
