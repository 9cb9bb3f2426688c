using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Rill.Benchmarks.Support;
using Rill.Common;
using Rill.Protocol.Records;
using Rill.Storage;

namespace Rill.Benchmarks.Storage;

/// <summary>
/// <c>Log.AppendAsLeader</c> of one producer batch of 100 records: validation, offset assignment, the write
/// into the active segment and the index updates. No flush.messages (Kafka's default), so this is the
/// page-cache write: no fsync is measured. The log lives in a temp directory with Kafka's 1 GiB segments and
/// grows by one batch per operation, within the <see cref="WriteBudgetAttribute"/>.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory(Categories.Storage)]
[WriteBudget]
public class LogAppendBenchmarks
{
    private TempDirectory _dir = null!;
    private LogManager _logs = null!;
    private Log _log = null!;
    private byte[] _batch = null!;

    [Params(CompressionCodec.None, CompressionCodec.Lz4, CompressionCodec.Zstd)]
    public CompressionCodec Codec { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = new TempDirectory("rill-bench-append");
        _logs = new LogManager([_dir.Path], TimeProvider.System, NullLoggerFactory.Instance);
        _log = _logs.GetOrCreateLog(new TopicPartition("bench-append", 0), LogConfig.Default);
        _batch = RecordBatches.Build(100, Codec);
        Warmup.Run(() => Append());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _logs.Dispose();
        _dir.Dispose();
    }

    [Benchmark]
    public long Append()
    {
        // The log stamps the assigned offset into the caller's buffer; a producer's batch always starts at 0.
        RecordBatch.SetBaseOffset(_batch, 0);
        var result = _log.AppendAsLeader(_batch, leaderEpoch: 0);
        return result.ErrorCode == ErrorCode.None ? result.LastOffset : throw new InvalidOperationException(result.ErrorMessage);
    }
}
