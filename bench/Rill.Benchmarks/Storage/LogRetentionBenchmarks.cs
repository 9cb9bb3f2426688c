using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Rill.Benchmarks.Support;
using Rill.Common;
using Rill.Protocol.Records;
using Rill.Storage;

namespace Rill.Benchmarks.Storage;

/// <summary>
/// <c>LogManager.RunRetention</c> deleting one segment of 16 or 256 MiB (its .log, .index and .timeindex) that lies below
/// the log start offset, with <c>file.delete.delay.ms=0</c> so the rename and the unlink happen in this call.
/// <c>Log.DeleteOldSegments</c> does both while it holds the log's append lock, so this is also how long an append
/// to that partition waits. <see cref="Flushed"/> true: the segment's pages were fsync'd first (as Kafka's flush
/// after a roll, or writeback, leaves an old segment); false: they are still dirty.
/// </summary>
/// <remarks>
/// A macro-benchmark: every iteration needs a fresh segment to delete, so it uses [IterationSetup], which makes
/// BenchmarkDotNet run one operation per iteration.
/// </remarks>
[MemoryDiagnoser]
[BenchmarkCategory(Categories.Storage)]
public class LogRetentionBenchmarks
{
    private TempDirectory _dir = null!;
    private LogManager _logs = null!;
    private Log _log = null!;
    private byte[] _batch = null!;

    [Params(16, 256)]
    public int SegmentMiB { get; set; }

    [Params(true, false)]
    public bool Flushed { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = new TempDirectory("rill-bench-retention");
        _logs = new LogManager([_dir.Path], TimeProvider.System, NullLoggerFactory.Instance);
        var config = LogConfig.Default with
        {
            SegmentBytes = SegmentMiB * 1024 * 1024,
            RetentionMs = -1,
            FileDeleteDelayMs = 0,
        };
        _log = _logs.GetOrCreateLog(new TopicPartition("bench-retention", 0), config);
        _batch = RecordBatches.Build(RecordBatches.RecordsPer16KiB, CompressionCodec.None);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _logs.Dispose();
        _dir.Dispose();
    }

    /// <summary>Fills the active segment until it rolls, then moves the log start past it so retention may delete it.</summary>
    [IterationSetup]
    public void FillOneSegment()
    {
        var segments = _log.SegmentBaseOffsets.Count;
        while (_log.SegmentBaseOffsets.Count == segments)
        {
            RecordBatch.SetBaseOffset(_batch, 0);
            _log.AppendAsLeader(_batch, leaderEpoch: 0);
        }

        var active = _log.SegmentBaseOffsets[^1];
        _log.HighWatermark = _log.LogEndOffset;
        if (_log.DeleteRecordsBefore(active).ErrorCode != ErrorCode.None)
        {
            throw new InvalidOperationException("cannot move the log start offset");
        }

        if (Flushed)
        {
            // Fsyncs the segments finished by the roll, as the node's maintenance loop does soon after one.
            _logs.FlushDirty();
        }
    }

    [Benchmark]
    public int DeleteOneSegment()
    {
        var deleted = _logs.RunRetention();
        return deleted == 1 ? deleted : throw new InvalidOperationException($"retention deleted {deleted} segments, not 1");
    }
}
