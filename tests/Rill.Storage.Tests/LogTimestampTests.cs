using Rill.Protocol.Records;
using Rill.Storage.Tests.Records;

namespace Rill.Storage.Tests;

public sealed class LogTimestampTests : IDisposable
{
    private readonly StorageFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Theory]
    [InlineData(500, 1_000, 0)]
    [InlineData(1_000, 1_000, 0)]
    [InlineData(1_001, 1_001, 1)]
    [InlineData(1_500, 2_000, 3)]
    [InlineData(2_001, 2_001, 4)]
    [InlineData(2_003, 3_000, 6)]
    [InlineData(3_009, 3_009, 15)]
    public void FindOffsetByTimestamp_ReturnsTheFirstRecordAtOrAfterIt(long target, long timestamp, long offset)
    {
        var log = CreateLogWithThreeSegments();

        Assert.Equal(new TimestampOffset(timestamp, offset), log.FindOffsetByTimestamp(target));
    }

    [Fact]
    public void FindOffsetByTimestamp_NewerThanEveryRecord_ReturnsNull()
    {
        var log = CreateLogWithThreeSegments();

        Assert.Null(log.FindOffsetByTimestamp(3_010));
    }

    [Fact]
    public void FindOffsetByTimestamp_TimestampsOutOfOrderInABatch_ReturnsTheFirstOffsetReachingTheTarget()
    {
        var log = _fixture.CreateLog();
        StorageFixture.Append(log, new RecordBatchBuilder(CompressionCodec.Snappy).Append(5_000, null, [1]).Append(4_000, null, [2]).Append(6_000, null, [3]).Build());

        Assert.Equal(new TimestampOffset(5_000, 0), log.FindOffsetByTimestamp(4_500));
        Assert.Equal(new TimestampOffset(6_000, 2), log.FindOffsetByTimestamp(5_500));
    }

    [Fact]
    public void FindOffsetByTimestamp_AfterACleanRestart_UsesTheReloadedIndexes()
    {
        CreateLogWithThreeSegments();
        _fixture.Shutdown();
        _fixture.Reopen();

        Assert.Equal(new TimestampOffset(2_001, 4), _fixture.ReopenedLog().FindOffsetByTimestamp(2_001));
    }

    [Fact]
    public void FindMaxTimestamp_ReturnsTheFirstRecordWithTheLargestTimestamp()
    {
        var log = _fixture.CreateLog();
        StorageFixture.Append(log, TestBatches.Build(3, 1_000));
        StorageFixture.Append(log, new RecordBatchBuilder(CompressionCodec.Gzip).Append(7_000, null, [1]).Append(9_000, null, [2]).Append(9_000, null, [3]).Build());
        StorageFixture.Append(log, TestBatches.Build(3, 2_000));

        Assert.Equal(new TimestampOffset(9_000, 4), log.FindMaxTimestamp());
        Assert.Equal(new TimestampOffset(9_000, 4), log.FetchOffsetByTimestamp(Log.MaxTimestamp));
    }

    [Fact]
    public void FetchOffsetByTimestamp_LatestAndEarliest_AnswerTheHighWatermarkAndLogStart()
    {
        var log = CreateLogWithThreeSegments();
        log.HighWatermark = 12;
        log.DeleteRecordsBefore(2);

        Assert.Equal(new TimestampOffset(-1, 12), log.FetchOffsetByTimestamp(Log.LatestTimestamp));
        Assert.Equal(new TimestampOffset(-1, 2), log.FetchOffsetByTimestamp(Log.EarliestTimestamp));
        Assert.Equal(new TimestampOffset(-1, 2), log.FetchOffsetByTimestamp(Log.EarliestLocalTimestamp));
        Assert.Equal(new TimestampOffset(1_002, 2), log.FetchOffsetByTimestamp(0));
    }

    [Fact]
    public void FindMaxTimestamp_EmptyLog_ReturnsNull()
    {
        Assert.Null(_fixture.CreateLog().FindMaxTimestamp());
    }

    /// <summary>
    /// Offsets 0-2 at 1000.., 3-5 at 2000.. (gzip), 6-10 at 3000.. and 11-15 at 3005.. (zstd), one segment each,
    /// every batch indexed.
    /// </summary>
    private Log CreateLogWithThreeSegments()
    {
        var builder = new RecordBatchBuilder(CompressionCodec.None);
        for (var i = 0; i < 5; i++)
        {
            builder.Append(3_000 + i, null, [1]);
        }

        byte[][] batches =
        [
            TestBatches.Build(3, 1_000), TestBatches.Build(3, 2_000, CompressionCodec.Gzip), builder.Build(),
            TestBatches.Build(5, 3_005, CompressionCodec.Zstd),
        ];
        var log = _fixture.CreateLog(LogConfig.Default with { IndexIntervalBytes = 0, SegmentBytes = batches.Max(b => b.Length) });
        foreach (var batch in batches)
        {
            StorageFixture.Append(log, batch);
        }

        Assert.Equal([0, 3, 6, 11], log.SegmentBaseOffsets);
        return log;
    }
}
