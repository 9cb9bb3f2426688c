using Rill.Common;
using Rill.Storage.Tests.Records;

namespace Rill.Storage.Tests;

public sealed class LogRetentionTests : IDisposable
{
    private readonly StorageFixture _fixture = new();
    private readonly int _batchSize;

    public LogRetentionTests()
    {
        _batchSize = TestBatches.Build(2, _fixture.NowMs).Length;
    }

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void RunRetention_SegmentsOlderThanRetentionMs_AreDeletedButNeverTheActiveOne()
    {
        // One batch per segment: segments 0, 2, 4 written at t, t+5s, t+9s.
        var log = _fixture.CreateLog(LogConfig.Default with { SegmentBytes = _batchSize, RetentionMs = 10_000, FileDeleteDelayMs = 60_000 });
        _fixture.Append(log, 2);
        _fixture.Time.Advance(TimeSpan.FromSeconds(5));
        _fixture.Append(log, 2);
        _fixture.Time.Advance(TimeSpan.FromSeconds(4));
        _fixture.Append(log, 2);
        _fixture.Time.Advance(TimeSpan.FromSeconds(6));

        // Segment 0's newest record is t+1 ms: 14,999 ms old.
        Assert.Equal(1, _fixture.Manager.RunRetention());
        Assert.Equal([2, 4], log.SegmentBaseOffsets);
        Assert.Equal(2, log.LogStartOffset);

        // Segment 2's newest record is t+5,001 ms: exactly 10,000 ms old is not older than retention.ms.
        _fixture.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, _fixture.Manager.RunRetention());
        _fixture.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, _fixture.Manager.RunRetention());
        Assert.Equal([4], log.SegmentBaseOffsets);
        Assert.Equal(4, log.LogStartOffset);

        _fixture.Time.Advance(TimeSpan.FromDays(100));
        Assert.Equal(0, _fixture.Manager.RunRetention());
        Assert.Equal([4], log.SegmentBaseOffsets);
        using var below = log.Read(3, int.MaxValue, log.LogEndOffset, minOneBatch: true);
        Assert.Equal(ErrorCode.OffsetOutOfRange, below.ErrorCode);
    }

    [Fact]
    public void RunRetention_DeletedSegmentFiles_LingerForTheDeleteDelay()
    {
        var log = _fixture.CreateLog(LogConfig.Default with { SegmentBytes = _batchSize, RetentionMs = 1_000, FileDeleteDelayMs = 60_000 });
        _fixture.Append(log, 2);
        _fixture.Append(log, 2);
        _fixture.Time.Advance(TimeSpan.FromSeconds(2));

        _fixture.Manager.RunRetention();

        Assert.False(File.Exists(_fixture.SegmentFile(0, ".log")));
        Assert.True(File.Exists(_fixture.SegmentFile(0, ".log.deleted")));
        Assert.True(File.Exists(_fixture.SegmentFile(0, ".index.deleted")));
        Assert.True(File.Exists(_fixture.SegmentFile(0, ".timeindex.deleted")));

        _fixture.Time.Advance(TimeSpan.FromSeconds(60));
        _fixture.Manager.RunRetention();

        Assert.Equal(
            [$"{2:D20}.index", $"{2:D20}.log", $"{2:D20}.timeindex", "leader-epoch-checkpoint"],
            Directory.GetFiles(_fixture.PartitionDir(StorageFixture.Partition)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal([2], log.SegmentBaseOffsets);
    }

    [Fact]
    public void RunRetention_LogOverRetentionBytes_DeletesOldestSegmentsUntilWithin()
    {
        var log = _fixture.CreateLog(LogConfig.Default with { SegmentBytes = _batchSize, RetentionBytes = 2L * _batchSize });
        for (var i = 0; i < 5; i++)
        {
            _fixture.Append(log, 2);
        }

        Assert.Equal(3, _fixture.Manager.RunRetention());

        Assert.Equal([6, 8], log.SegmentBaseOffsets);
        Assert.Equal(6, log.LogStartOffset);
        Assert.Equal(2L * _batchSize, log.SizeInBytes);
        Assert.Equal(0, _fixture.Manager.RunRetention());
    }

    [Fact]
    public void RunRetention_AfterDeleteRecords_DeletesSegmentsBelowTheLogStartOffset()
    {
        var log = _fixture.CreateLog(LogConfig.Default with { SegmentBytes = _batchSize });
        for (var i = 0; i < 3; i++)
        {
            _fixture.Append(log, 2);
        }

        log.HighWatermark = log.LogEndOffset;
        Assert.Equal(new DeleteRecordsResult(ErrorCode.None, 3), log.DeleteRecordsBefore(3));

        Assert.Equal(1, _fixture.Manager.RunRetention());
        Assert.Equal([2, 4], log.SegmentBaseOffsets);
        Assert.Equal(3, log.LogStartOffset);
    }

    [Fact]
    public void RunRetention_ExpiredActiveSegment_IsKept()
    {
        var log = _fixture.CreateLog(LogConfig.Default with { RetentionMs = 1_000 });
        _fixture.Append(log, 2);
        _fixture.Time.Advance(TimeSpan.FromDays(30));

        Assert.Equal(0, _fixture.Manager.RunRetention());

        Assert.Equal([0], log.SegmentBaseOffsets);
        Assert.Equal(0, log.LogStartOffset);
    }

    [Fact]
    public void RunRetention_ConfigReplacedLive_AppliesTheNewValue()
    {
        var log = _fixture.CreateLog(LogConfig.Default with { SegmentBytes = _batchSize });
        _fixture.Append(log, 2);
        _fixture.Append(log, 2);
        Assert.Equal(0, _fixture.Manager.RunRetention());

        log.Config = log.Config with { RetentionBytes = 0 };

        Assert.Equal(1, _fixture.Manager.RunRetention());
        Assert.Throws<ArgumentException>(() => log.Config = log.Config with { SegmentMs = 0 });
    }
}
