using Rill.Common;
using Rill.Protocol.Records;
using Rill.Storage.Tests.Records;

namespace Rill.Storage.Tests;

/// <summary>Appends of a leader's batches on a follower: offsets, epochs and timestamps as they came, nothing assigned.</summary>
public sealed class LogFollowerAppendTests : IDisposable
{
    private readonly StorageFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    /// <summary>A batch as a leader stored it: <paramref name="count"/> records at <paramref name="baseOffset"/>, stamped with <paramref name="epoch"/>.</summary>
    internal static byte[] LeaderBatch(long baseOffset, int count, int epoch, long firstTimestamp, int valueSize = 0)
    {
        var batch = TestBatches.Build(count, firstTimestamp, valueSize: valueSize);

        // Neither field is covered by the CRC, as on a leader, which writes both after the producer computed it.
        RecordBatch.SetBaseOffset(batch, baseOffset);
        RecordBatch.SetPartitionLeaderEpoch(batch, epoch);
        return batch;
    }

    [Fact]
    public void AppendAsFollower_KeepsTheLeadersOffsetsEpochsAndTimestamps_ByteForByte()
    {
        var log = _fixture.CreateLog(LogConfig.Default with { MessageTimestampType = TimestampType.LogAppendTime });
        var records = TestBatches.Concat(LeaderBatch(0, 3, 2, 1_000), LeaderBatch(3, 2, 2, 2_000), LeaderBatch(5, 4, 4, 3_000));

        var result = log.AppendAsFollower(records.ToArray());

        Assert.Equal(new AppendResult(ErrorCode.None, null, -1, -1, FirstOffset: 0, LastOffset: 8, LogAppendTime: -1, LogStartOffset: 0, RecordCount: 9), result);
        Assert.Equal(9, log.LogEndOffset);
        Assert.Equal(records, StorageFixture.ReadAll(log));
        Assert.Equal(records, File.ReadAllBytes(_fixture.SegmentFile(0, ".log")));
        Assert.Equal([new EpochEntry(2, 0), new EpochEntry(4, 5)], log.LeaderEpochEntries);
        Assert.Equal(4, log.LatestEpoch);
    }

    [Fact]
    public void AppendAsFollower_FirstBatchBeforeTheLogEnd_RefusedWithThatBatchsOffsets_NothingWritten()
    {
        var log = _fixture.CreateLog();
        var first = LeaderBatch(0, 5, 1, 1_000);
        Assert.Equal(ErrorCode.None, log.AppendAsFollower(first.ToArray()).ErrorCode);

        var result = log.AppendAsFollower(TestBatches.Concat(LeaderBatch(3, 4, 1, 2_000), LeaderBatch(7, 1, 1, 3_000)));

        Assert.Equal((ErrorCode.OffsetOutOfRange, 3L, 6L, 0), (result.ErrorCode, result.FirstOffset, result.LastOffset, result.RecordCount));
        Assert.Contains("starts at offset 3, before the log end offset 5", result.ErrorMessage);
        Assert.Equal(5, log.LogEndOffset);
        Assert.Equal(first, StorageFixture.ReadAll(log));
    }

    [Fact]
    public void AppendAsFollower_AfterAGapTheLeaderHasToo_StartsAtTheBatchAndReadsSkipTheGap()
    {
        var log = _fixture.CreateLog();
        var first = LeaderBatch(0, 3, 0, 1_000);
        var afterGap = LeaderBatch(10, 2, 0, 2_000);
        log.AppendAsFollower(first.ToArray());

        var result = log.AppendAsFollower(afterGap.ToArray());

        Assert.Equal((ErrorCode.None, 10L, 11L), (result.ErrorCode, result.FirstOffset, result.LastOffset));
        Assert.Equal(12, log.LogEndOffset);
        using var read = log.Read(3, int.MaxValue, 12, minOneBatch: true);
        Assert.Equal(afterGap, read.Records.ToArray());
    }

    [Fact]
    public void AppendAsFollower_OffsetsNotAscendingWithinTheAppend_InvalidRecordAndNothingWritten()
    {
        var log = _fixture.CreateLog();

        var result = log.AppendAsFollower(TestBatches.Concat(LeaderBatch(0, 3, 0, 1_000), LeaderBatch(2, 2, 0, 2_000)));

        Assert.Equal((ErrorCode.InvalidRecord, 1), (result.ErrorCode, result.ErrorBatchIndex));
        Assert.Equal(0, log.LogEndOffset);
        Assert.Empty(File.ReadAllBytes(_fixture.SegmentFile(0, ".log")));
        Assert.Empty(log.LeaderEpochEntries);
    }

    [Fact]
    public void AppendAsFollower_CorruptBatch_CorruptMessageAndNothingWritten()
    {
        var log = _fixture.CreateLog();
        var damaged = LeaderBatch(3, 2, 0, 2_000);
        damaged[^1] ^= 0xFF;

        var result = log.AppendAsFollower(TestBatches.Concat(LeaderBatch(0, 3, 0, 1_000), damaged));

        Assert.Equal((ErrorCode.CorruptMessage, 1), (result.ErrorCode, result.ErrorBatchIndex));
        Assert.Equal(0, log.LogEndOffset);
        Assert.Empty(log.LeaderEpochEntries);
    }

    [Fact]
    public void AppendAsFollower_BatchLargerThanMaxMessageBytes_IsAcceptedAsTheLeaderAcceptedIt()
    {
        var log = _fixture.CreateLog(LogConfig.Default with { MaxMessageBytes = 100 });
        var batch = LeaderBatch(0, 2, 0, 1_000, valueSize: 300);

        Assert.Equal(ErrorCode.MessageTooLarge, log.AppendAsLeader(batch.ToArray(), 0).ErrorCode);
        var result = log.AppendAsFollower(batch.ToArray());

        Assert.Equal((ErrorCode.None, 1L), (result.ErrorCode, result.LastOffset));
        Assert.Equal(batch, StorageFixture.ReadAll(log));
    }

    [Fact]
    public void AppendAsFollower_MoreThanASegmentHolds_RollsAtBatchBoundariesAndSurvivesACrash()
    {
        var batches = Enumerable.Range(0, 7).Select(i => LeaderBatch(i * 2L, 2, i < 4 ? 1 : 3, 1_000 + i)).ToArray();
        var batchSize = batches[0].Length;
        var config = LogConfig.Default with { SegmentBytes = batchSize * 3 };
        var log = _fixture.CreateLog(config);
        Assert.Equal(ErrorCode.None, log.AppendAsFollower(batches[0].ToArray()).ErrorCode);

        var result = log.AppendAsFollower(TestBatches.Concat(batches[1..]));

        Assert.Equal((ErrorCode.None, 2L, 13L, 12), (result.ErrorCode, result.FirstOffset, result.LastOffset, result.RecordCount));
        Assert.Equal([0L, 6, 12], log.SegmentBaseOffsets);
        Assert.Equal(TestBatches.Concat(batches[..3]), File.ReadAllBytes(_fixture.SegmentFile(0, ".log")));
        Assert.Equal(TestBatches.Concat(batches[3..6]), File.ReadAllBytes(_fixture.SegmentFile(6, ".log")));
        Assert.Equal(batches[6], File.ReadAllBytes(_fixture.SegmentFile(12, ".log")));
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(3, 8)], log.LeaderEpochEntries);

        _fixture.Crash();
        _fixture.Reopen(config);
        var reopened = _fixture.ReopenedLog();

        Assert.Equal(14, reopened.LogEndOffset);
        Assert.Equal(TestBatches.Concat(batches), StorageFixture.ReadAll(reopened));
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(3, 8)], reopened.LeaderEpochEntries);
        Assert.Equal(ErrorCode.None, reopened.AppendAsFollower(LeaderBatch(14, 1, 3, 2_000)).ErrorCode);
    }

    [Fact]
    public void AppendAsFollower_ThenAsLeaderInLaterEpochs_ContinuesTheOffsetsAndRecordsEachEpoch()
    {
        var log = _fixture.CreateLog();
        log.AppendAsFollower(LeaderBatch(0, 3, 4, 1_000));

        var five = log.AppendAsLeader(TestBatches.Build(2, _fixture.NowMs), leaderEpoch: 5);
        var six = log.AppendAsLeader(TestBatches.Build(1, _fixture.NowMs), leaderEpoch: 6);

        Assert.Equal((3L, 4L, 5L), (five.FirstOffset, five.LastOffset, six.FirstOffset));
        Assert.Equal([new EpochEntry(4, 0), new EpochEntry(5, 3), new EpochEntry(6, 5)], log.LeaderEpochEntries);
        Assert.Equal([4, 5, 6], EpochsOf(StorageFixture.ReadAll(log)));
    }

    private static List<int> EpochsOf(ReadOnlySpan<byte> records)
    {
        var epochs = new List<int>();
        while (!records.IsEmpty)
        {
            epochs.Add(RecordBatch.GetPartitionLeaderEpoch(records));
            records = records[RecordBatch.GetSizeInBytes(records)..];
        }

        return epochs;
    }
}
