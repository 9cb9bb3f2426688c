using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Rill.Benchmarks.Support;
using Rill.Common;
using Rill.Protocol.Records;
using Rill.Storage;

namespace Rill.Benchmarks.Storage;

/// <summary>
/// <c>Log.Read</c> of 64 KiB (a consumer's default max.partition.fetch.bytes is 1 MiB; 64 KiB is a typical
/// steady-state answer) from the middle of a 64 MiB log of eight 8 MiB segments: find the segment, look up the
/// offset index, scan to the batch, read whole batches into a pooled buffer. The file is in the page cache, so
/// this is the cost of the lookup and the positional read, not of the disk.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory(Categories.Storage)]
public class LogReadBenchmarks
{
    private const int LogBytes = 64 * 1024 * 1024;
    private const int ReadBytes = 64 * 1024;

    private TempDirectory _dir = null!;
    private LogManager _logs = null!;
    private Log _log = null!;
    private long _fetchOffset;

    [GlobalSetup]
    public void Setup()
    {
        _dir = new TempDirectory("rill-bench-read");
        _logs = new LogManager([_dir.Path], TimeProvider.System, NullLoggerFactory.Instance);
        _log = _logs.GetOrCreateLog(new TopicPartition("bench-read", 0), LogConfig.Default with { SegmentBytes = 8 * 1024 * 1024 });
        var batch = RecordBatches.Build(100, CompressionCodec.None);
        while (_log.SizeInBytes < LogBytes)
        {
            RecordBatch.SetBaseOffset(batch, 0);
            _log.AppendAsLeader(batch, leaderEpoch: 0);
        }

        _log.HighWatermark = _log.LogEndOffset;
        // A consumer fetches from a batch boundary: the offset after the last batch it read.
        _fetchOffset = _log.LogEndOffset / 2 / 100 * 100;
        if (_log.SegmentBaseOffsets.Count < 8)
        {
            throw new InvalidOperationException($"expected a multi-segment log, got {_log.SegmentBaseOffsets.Count} segments");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _logs.Dispose();
        _dir.Dispose();
    }

    [Benchmark]
    public int Read()
    {
        using var result = _log.Read(_fetchOffset, ReadBytes, _log.HighWatermark, minOneBatch: true);
        return result.ErrorCode == ErrorCode.None ? result.Records.Length : throw new InvalidOperationException(result.ErrorCode.ToString());
    }
}
