using BenchmarkDotNet.Attributes;
using Rill.Benchmarks.Support;
using Rill.Protocol.Records;

namespace Rill.Benchmarks.Records;

/// <summary>
/// What the log writes into a validated 100-record batch under its append lock: the base offset and leader
/// epoch (outside the CRC, so no checksum work), and, for a LogAppendTime topic, the broker's timestamp,
/// which changes a covered field and so recomputes the CRC-32C over the whole batch.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory(Categories.Records)]
public class OffsetRewriteBenchmarks
{
    private byte[] _batch = null!;
    private long _offset;
    private long _nowMs = RecordBatches.BaseTimestampMs;

    [GlobalSetup]
    public void Setup() => _batch = RecordBatches.Build(100, CompressionCodec.None);

    /// <summary>A CreateTime topic: base offset, leader epoch, maxTimestamp unchanged (no CRC).</summary>
    [Benchmark]
    public bool AssignOffsets()
    {
        var batch = _batch.AsSpan();
        _offset += 100;
        RecordBatch.SetBaseOffset(batch, _offset);
        RecordBatch.SetPartitionLeaderEpoch(batch, 7);
        return RecordBatch.SetMaxTimestamp(batch, TimestampType.CreateTime, RecordBatch.GetMaxTimestamp(batch));
    }

    /// <summary>A LogAppendTime topic: the same plus a new maxTimestamp and CRC-32C over the ~11 KB batch.</summary>
    [Benchmark]
    public bool AssignOffsetsAndLogAppendTime()
    {
        var batch = _batch.AsSpan();
        _offset += 100;
        RecordBatch.SetBaseOffset(batch, _offset);
        RecordBatch.SetPartitionLeaderEpoch(batch, 7);
        return RecordBatch.SetLogAppendTime(batch, ++_nowMs);
    }
}
