using Rill.Common;
using Rill.Storage.Tests.Records;

namespace Rill.Storage.Tests;

public sealed class LogRollTests : IDisposable
{
    private readonly StorageFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Append_PastSegmentBytes_RollsToANewSegment()
    {
        var batchSize = TestBatches.Build(3, _fixture.NowMs).Length;
        var log = _fixture.CreateLog(LogConfig.Default with { SegmentBytes = 2 * batchSize });

        for (var i = 0; i < 5; i++)
        {
            _fixture.Append(log, 3);
        }

        Assert.Equal([0, 6, 12], log.SegmentBaseOffsets);
        Assert.Equal(2 * batchSize, new FileInfo(_fixture.SegmentFile(0, ".log")).Length);
        Assert.Equal(2 * batchSize, new FileInfo(_fixture.SegmentFile(6, ".log")).Length);
        Assert.Equal(batchSize, new FileInfo(_fixture.SegmentFile(12, ".log")).Length);
        Assert.True(File.Exists(_fixture.SegmentFile(12, ".index")));
        Assert.True(File.Exists(_fixture.SegmentFile(12, ".timeindex")));
        Assert.Equal([0, 3, 6, 9, 12], StorageFixture.BaseOffsets(StorageFixture.ReadAll(log)));
    }

    [Fact]
    public void Append_SegmentOlderThanSegmentMs_Rolls()
    {
        var log = _fixture.CreateLog(LogConfig.Default with { SegmentMs = 1_000 });
        _fixture.Append(log, 2);
        _fixture.Time.Advance(TimeSpan.FromMilliseconds(1_000));
        _fixture.Append(log, 2);
        Assert.Equal([0], log.SegmentBaseOffsets);

        _fixture.Time.Advance(TimeSpan.FromMilliseconds(1));
        _fixture.Append(log, 2);

        Assert.Equal([0, 4], log.SegmentBaseOffsets);
    }

    [Fact]
    public void Append_IndexFull_Rolls()
    {
        // Interval 0: every batch after a segment's first adds an offset entry and (timestamps rising) a time entry.
        // 24 bytes hold 3 offset entries but only 2 time entries, so the third batch fills the time index.
        var log = _fixture.CreateLog(LogConfig.Default with { IndexIntervalBytes = 0, SegmentIndexBytes = 24 });
        for (var i = 0; i < 3; i++)
        {
            _fixture.Append(log, 1);
            _fixture.Time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal([0], log.SegmentBaseOffsets);
        Assert.Equal(16, new FileInfo(_fixture.SegmentFile(0, ".index")).Length);
        Assert.Equal(24, new FileInfo(_fixture.SegmentFile(0, ".timeindex")).Length);

        _fixture.Append(log, 1);

        Assert.Equal([0, 3], log.SegmentBaseOffsets);
    }

    [Fact]
    public void Read_FromALaterSegment_ReturnsThatSegmentsBatches()
    {
        var batchSize = TestBatches.Build(3, _fixture.NowMs).Length;
        var log = _fixture.CreateLog(LogConfig.Default with { SegmentBytes = 2 * batchSize });
        for (var i = 0; i < 5; i++)
        {
            _fixture.Append(log, 3);
        }

        using var result = log.Read(7, int.MaxValue, log.LogEndOffset, minOneBatch: true);

        Assert.Equal(ErrorCode.None, result.ErrorCode);
        Assert.Equal([6, 9], StorageFixture.BaseOffsets(result.Records.Span));
    }

    [Fact]
    public void FlushDirty_AfterARoll_FlushesTheFinishedSegmentsAndAdvancesTheRecoveryPoint()
    {
        var batchSize = TestBatches.Build(3, _fixture.NowMs).Length;
        var log = _fixture.CreateLog(LogConfig.Default with { SegmentBytes = batchSize });
        _fixture.Append(log, 3);
        _fixture.Append(log, 3);
        Assert.Equal(0, log.RecoveryPoint);

        _fixture.Manager.FlushDirty();

        Assert.Equal(3, log.RecoveryPoint);
    }
}
