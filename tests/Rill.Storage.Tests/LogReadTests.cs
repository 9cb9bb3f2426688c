using Rill.Common;
using Rill.Protocol.Records;
using Rill.Storage.Tests.Records;

namespace Rill.Storage.Tests;

public sealed class LogReadTests : IDisposable
{
    private readonly StorageFixture _fixture = new();
    private readonly Log _log;
    private readonly byte[][] _stored = new byte[3][];

    public LogReadTests()
    {
        // Offsets 0-2, 3-7, 8-9.
        _log = _fixture.CreateLog(LogConfig.Default with { IndexIntervalBytes = 0 });
        int[] counts = [3, 5, 2];
        for (var i = 0; i < counts.Length; i++)
        {
            var batch = TestBatches.Build(counts[i], _fixture.NowMs, valueSize: 20);
            var result = StorageFixture.Append(_log, batch);
            RecordBatch.SetBaseOffset(batch, result.FirstOffset);
            RecordBatch.SetPartitionLeaderEpoch(batch, 0);
            _stored[i] = batch;
        }
    }

    public void Dispose() => _fixture.Dispose();

    [Theory]
    [InlineData(0, 0)]
    [InlineData(3, 1)]
    [InlineData(5, 1)]
    [InlineData(7, 1)]
    [InlineData(9, 2)]
    public void Read_FromAnyOffset_StartsWithTheBatchHoldingIt(long fetchOffset, int firstBatch)
    {
        using var result = _log.Read(fetchOffset, int.MaxValue, 10, minOneBatch: true);

        Assert.Equal(ErrorCode.None, result.ErrorCode);
        Assert.Equal(TestBatches.Concat(_stored[firstBatch..]), result.Records.ToArray());
        Assert.Equal((0, 10), (result.LogStartOffset, result.LogEndOffset));
    }

    [Fact]
    public void Read_MaxBytes_ReturnsOnlyWholeBatchesThatFit()
    {
        using var result = _log.Read(0, _stored[0].Length + _stored[1].Length + _stored[2].Length - 1, 10, minOneBatch: true);

        Assert.Equal(TestBatches.Concat(_stored[0], _stored[1]), result.Records.ToArray());
    }

    [Fact]
    public void Read_FirstBatchLargerThanMaxBytes_ReturnsItWholeOnlyWithMinOneBatch()
    {
        using var withMinOne = _log.Read(3, 10, 10, minOneBatch: true);
        using var withoutMinOne = _log.Read(3, 10, 10, minOneBatch: false);

        Assert.Equal(_stored[1], withMinOne.Records.ToArray());
        Assert.Equal(ErrorCode.None, withoutMinOne.ErrorCode);
        Assert.True(withoutMinOne.Records.IsEmpty);
    }

    [Fact]
    public void Read_MaxOffsetExclusive_NeverReturnsABatchReachingIt()
    {
        _log.HighWatermark = 8;

        using var result = _log.Read(0, int.MaxValue, _log.HighWatermark, minOneBatch: true);
        using var atHighWatermark = _log.Read(8, int.MaxValue, _log.HighWatermark, minOneBatch: true);

        Assert.Equal(TestBatches.Concat(_stored[0], _stored[1]), result.Records.ToArray());
        Assert.Equal(8, result.HighWatermark);
        Assert.Equal(ErrorCode.None, atHighWatermark.ErrorCode);
        Assert.True(atHighWatermark.Records.IsEmpty);
    }

    [Fact]
    public void Read_AtLogEndOffset_ReturnsNoBytes()
    {
        using var result = _log.Read(10, int.MaxValue, 10, minOneBatch: true);

        Assert.Equal(ErrorCode.None, result.ErrorCode);
        Assert.True(result.Records.IsEmpty);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(-1)]
    public void Read_OutsideTheLog_ReturnsOffsetOutOfRange(long fetchOffset)
    {
        using var result = _log.Read(fetchOffset, int.MaxValue, 10, minOneBatch: true);

        Assert.Equal(ErrorCode.OffsetOutOfRange, result.ErrorCode);
        Assert.True(result.Records.IsEmpty);
    }

    [Fact]
    public void Read_BelowTheLogStartOffset_ReturnsOffsetOutOfRange()
    {
        _log.HighWatermark = 10;
        Assert.Equal(new DeleteRecordsResult(ErrorCode.None, 4), _log.DeleteRecordsBefore(4));

        using var below = _log.Read(3, int.MaxValue, 10, minOneBatch: true);
        using var at = _log.Read(4, int.MaxValue, 10, minOneBatch: true);

        Assert.Equal(ErrorCode.OffsetOutOfRange, below.ErrorCode);
        Assert.Equal(TestBatches.Concat(_stored[1..]), at.Records.ToArray());
        Assert.Equal(4, at.LogStartOffset);
    }

    [Fact]
    public void DeleteRecordsBefore_PastTheHighWatermark_ReturnsOffsetOutOfRange()
    {
        _log.HighWatermark = 3;

        Assert.Equal(new DeleteRecordsResult(ErrorCode.OffsetOutOfRange, 0), _log.DeleteRecordsBefore(4));
        Assert.Equal(0, _log.LogStartOffset);
    }

    [Fact]
    public void Read_AfterDispose_ReturnsTheBufferToThePool()
    {
        var result = _log.Read(0, int.MaxValue, 10, minOneBatch: true);
        Assert.False(result.Records.IsEmpty);

        result.Dispose();
        result.Dispose();

        Assert.True(result.Records.IsEmpty);
    }
}
