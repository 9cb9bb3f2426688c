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
/// copies and the thread-pool handoffs between the client, the session's read loop and its write loop;
/// <see cref="Direct"/> runs the same steps on the calling thread (see <see cref="DirectPath"/>).
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory(Categories.Server)]
public class ProducePathBenchmarks
{
    private const int TopicPartitions = 6;

    private InMemoryBroker _broker = null!;
    private DirectPath _direct = null!;
    private byte[] _frame = null!;

    [Params(1, 6)]
    public int Partitions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _broker = new InMemoryBroker(Requests.Topic, TopicPartitions);
        _direct = new DirectPath(_broker.Dispatcher);
        var batch = RecordBatches.Build(RecordBatches.RecordsPer16KiB, CompressionCodec.None);
        _frame = Frames.Request(ApiKey.Produce, 9, correlationId: 1, Requests.Produce(Partitions, batch));
        _direct.Handle(_frame);
        if (!_broker.Replicas.TryGetPartition(new TopicPartition(Requests.Topic, 0), out var partition) || partition.Log.LogEndOffset == 0)
        {
            throw new InvalidOperationException("the produce request appended nothing");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _broker.DisposeAsync();

    [Benchmark]
    public ValueTask<int> Session() => _broker.RoundTripAsync(_frame);

    [Benchmark]
    public int Direct() => _direct.Handle(_frame);
}
