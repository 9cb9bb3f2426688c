using Rill.Common;
using Rill.Protocol.Records;
using Rill.Storage.Tests.Records;

namespace Rill.Storage.Tests;

public sealed class LogAppendTests : IDisposable
{
    private readonly StorageFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Append_FirstBatch_AssignsOffsetZeroAndStoresTheBytesWithTheLeaderEpoch()
    {
        var log = _fixture.CreateLog();
        var batch = TestBatches.Build(3, _fixture.NowMs);

        var result = log.AppendAsLeader(batch.ToArray(), leaderEpoch: 5);

        Assert.Equal(new AppendResult(ErrorCode.None, null, -1, -1, FirstOffset: 0, LastOffset: 2, LogAppendTime: -1, LogStartOffset: 0, RecordCount: 3), result);
        Assert.Equal(3, log.LogEndOffset);
        RecordBatch.SetPartitionLeaderEpoch(batch, 5);
        Assert.Equal(batch, StorageFixture.ReadAll(log));
        Assert.Equal(batch, ReadLogFile(0));
    }

    [Fact]
    public void Append_SeveralRequestsAndBatches_AssignsConsecutiveOffsets()
    {
        var log = _fixture.CreateLog();
        var first = TestBatches.Build(3, _fixture.NowMs);
        var second = TestBatches.Build(2, _fixture.NowMs);
        var third = TestBatches.Build(4, _fixture.NowMs, CompressionCodec.Gzip);

        var a = StorageFixture.Append(log, first);
        var b = StorageFixture.Append(log, TestBatches.Concat(second, third));

        Assert.Equal((0, 2, 3), (a.FirstOffset, a.LastOffset, a.RecordCount));
        Assert.Equal((3, 8, 6), (b.FirstOffset, b.LastOffset, b.RecordCount));
        Assert.Equal(9, log.LogEndOffset);
        Assert.Equal([0, 3, 5], StorageFixture.BaseOffsets(StorageFixture.ReadAll(log)));
    }

    [Fact]
    public void Append_AfterCleanRestartAndAfterCrash_ContinuesTheOffsets()
    {
        var log = _fixture.CreateLog();
        _fixture.Append(log, 3);
        _fixture.Shutdown();
        _fixture.Reopen();
        Assert.Equal(3, _fixture.ReopenedLog().LogEndOffset);
        Assert.Equal(3, _fixture.Append(_fixture.ReopenedLog(), 2).FirstOffset);
        _fixture.Crash();
        _fixture.Reopen();

        var result = _fixture.Append(_fixture.ReopenedLog(), 4);

        Assert.Equal((5, 8), (result.FirstOffset, result.LastOffset));
        Assert.Equal([0, 3, 5], StorageFixture.BaseOffsets(StorageFixture.ReadAll(_fixture.ReopenedLog())));
    }

    public static TheoryData<string, ErrorCode> CorruptRequests => new()
    {
        { "crc", ErrorCode.CorruptMessage },
        { "truncated", ErrorCode.CorruptMessage },
        { "length", ErrorCode.CorruptMessage },
        { "magic1", ErrorCode.InvalidRecord },
        { "magic9", ErrorCode.CorruptMessage },
        { "attributes", ErrorCode.InvalidRecord },
        { "count", ErrorCode.InvalidRecord },
        { "goodThenCorrupt", ErrorCode.CorruptMessage },
    };

    [Theory]
    [MemberData(nameof(CorruptRequests))]
    public void Append_CorruptRequest_ReturnsTheCodeAndStoresNothing(string shape, ErrorCode expected)
    {
        var log = _fixture.CreateLog();
        _fixture.Append(log, 2);
        var stored = ReadLogFile(0);
        var batch = TestBatches.Build(3, _fixture.NowMs);
        byte[] records;
        switch (shape)
        {
            case "crc":
                batch[^2] ^= 0x10;
                records = batch;
                break;
            case "truncated":
                records = batch[..^5];
                break;
            case "length":
                batch[RecordBatch.BatchLengthOffset + 3] = 10;
                batch[RecordBatch.BatchLengthOffset + 2] = 0;
                records = batch;
                break;
            case "magic1":
                batch[RecordBatch.MagicOffset] = 1;
                records = batch;
                break;
            case "magic9":
                batch[RecordBatch.MagicOffset] = 9;
                records = batch;
                break;
            case "attributes":
                batch[RecordBatch.AttributesOffset] = 0x01;
                records = TestBatches.WithCrcFixed(batch);
                break;
            case "count":
                batch[RecordBatch.RecordsCountOffset + 3] = 4;
                batch[RecordBatch.LastOffsetDeltaOffset + 3] = 3;
                records = TestBatches.WithCrcFixed(batch);
                break;
            default:
                batch[^1] ^= 0x01;
                records = TestBatches.Concat(TestBatches.Build(1, _fixture.NowMs), batch);
                break;
        }

        var result = log.AppendAsLeader(records, leaderEpoch: 0);

        Assert.Equal(expected, result.ErrorCode);
        Assert.NotNull(result.ErrorMessage);
        Assert.Equal((-1L, -1L, 0), (result.FirstOffset, result.LastOffset, result.RecordCount));
        Assert.Equal(2, log.LogEndOffset);
        Assert.Equal(stored, ReadLogFile(0));
        Assert.Equal(stored, StorageFixture.ReadAll(log));
    }

    [Fact]
    public void Append_BatchOverMaxMessageBytes_ReturnsMessageTooLarge()
    {
        var batch = TestBatches.Build(10, _fixture.NowMs, valueSize: 100);
        var log = _fixture.CreateLog(LogConfig.Default with { MaxMessageBytes = batch.Length - 1 });

        var result = log.AppendAsLeader(batch, leaderEpoch: 0);

        Assert.Equal(ErrorCode.MessageTooLarge, result.ErrorCode);
        Assert.Equal(0, log.LogEndOffset);
        log.Config = log.Config with { MaxMessageBytes = batch.Length };
        Assert.Equal(ErrorCode.None, log.AppendAsLeader(TestBatches.Build(10, _fixture.NowMs, valueSize: 100), 0).ErrorCode);
    }

    [Theory]
    [InlineData(CompressionCodec.Gzip, false)]
    [InlineData(CompressionCodec.Snappy, false)]
    [InlineData(CompressionCodec.Snappy, true)]
    [InlineData(CompressionCodec.Lz4, false)]
    [InlineData(CompressionCodec.Zstd, false)]
    public void Append_CompressedBatch_IsStoredAsSentExceptBaseOffsetAndLeaderEpoch(CompressionCodec codec, bool xerial)
    {
        var log = _fixture.CreateLog();
        _fixture.Append(log, 7);
        var batch = TestBatches.Build(50, _fixture.NowMs, codec, xerial, valueSize: 40);

        var result = StorageFixture.Append(log, batch, leaderEpoch: 3);

        Assert.Equal((7, 56), (result.FirstOffset, result.LastOffset));
        RecordBatch.SetBaseOffset(batch, 7);
        RecordBatch.SetPartitionLeaderEpoch(batch, 3);
        Assert.Equal(batch, StorageFixture.ReadAll(log, 7));
        Assert.True(RecordBatch.IsCrcValid(batch));
    }

    [Fact]
    public void Append_LogAppendTimeTopic_StampsTheBrokerTimeAndRecomputesTheCrc()
    {
        var log = _fixture.CreateLog(LogConfig.Default with { MessageTimestampType = TimestampType.LogAppendTime });
        var batch = TestBatches.Build(3, 1_000, CompressionCodec.Lz4);

        var result = StorageFixture.Append(log, batch);

        Assert.Equal(_fixture.NowMs, result.LogAppendTime);
        var stored = StorageFixture.ReadAll(log);
        Assert.Equal(TimestampType.LogAppendTime, RecordBatch.GetTimestampType(stored));
        Assert.Equal(_fixture.NowMs, RecordBatch.GetMaxTimestamp(stored));
        Assert.Equal(1_000, RecordBatch.GetBaseTimestamp(stored));
        Assert.True(RecordBatch.IsCrcValid(stored));
        Assert.Equal(batch.AsSpan(RecordBatch.HeaderSize).ToArray(), stored.AsSpan(RecordBatch.HeaderSize).ToArray());
    }

    [Fact]
    public void Append_CreateTimeBatchWithWrongMaxTimestamp_IsCorrectedWithAValidCrc()
    {
        var log = _fixture.CreateLog();
        var batch = TestBatches.Build(3, 1_000);
        RecordBatch.SetMaxTimestamp(batch, TimestampType.CreateTime, 5);

        StorageFixture.Append(log, batch);

        var stored = StorageFixture.ReadAll(log);
        Assert.Equal(1_002, RecordBatch.GetMaxTimestamp(stored));
        Assert.True(RecordBatch.IsCrcValid(stored));
    }

    [Fact]
    public void Append_ControlBatch_IsRefusedFromProducersAndAcceptedFromTheCoordinator()
    {
        var log = _fixture.CreateLog();
        var marker = new RecordBatchBuilder(CompressionCodec.None) { IsControlBatch = true, IsTransactional = true, ProducerId = 4, ProducerEpoch = 0 }
            .Append(_fixture.NowMs, [0, 0, 0, 1], [0, 0, 0, 0, 0, 0])
            .Build();

        Assert.Equal(ErrorCode.InvalidRecord, log.AppendAsLeader(marker.ToArray(), 0).ErrorCode);
        var result = log.AppendAsLeader(marker.ToArray(), 0, AppendOrigin.Coordinator);

        Assert.Equal((ErrorCode.None, 0L, 0L), (result.ErrorCode, result.FirstOffset, result.LastOffset));
        Assert.True(RecordBatch.IsControlBatch(StorageFixture.ReadAll(log)));
    }

    [Fact]
    public void Append_TellsTheListenerTheNewLogEndOffset()
    {
        var listener = new RecordingListener();
        _fixture.Manager.AppendListener = listener;
        var log = _fixture.CreateLog();

        _fixture.Append(log, 3);
        _fixture.Append(log, 2);
        log.AppendAsLeader(new byte[10], 0);

        Assert.Equal([(StorageFixture.Partition, 3L), (StorageFixture.Partition, 5L)], listener.Calls);
    }

    [Fact]
    public void Append_FlushMessagesOne_FsyncsBeforeReturning()
    {
        var log = _fixture.CreateLog(LogConfig.Default with { FlushMessages = 1 });

        _fixture.Append(log, 3);

        Assert.Equal(3, log.RecoveryPoint);
    }

    [Fact]
    public void FlushDirty_AfterFlushMs_AdvancesTheRecoveryPoint()
    {
        var log = _fixture.CreateLog(LogConfig.Default with { FlushMs = 1_000 });
        _fixture.Append(log, 3);
        _fixture.Manager.FlushDirty();
        Assert.Equal(0, log.RecoveryPoint);

        _fixture.Time.Advance(TimeSpan.FromMilliseconds(1_000));
        _fixture.Manager.FlushDirty();

        Assert.Equal(3, log.RecoveryPoint);
    }

    [Fact]
    public void HighWatermark_StaysWithinTheLog()
    {
        var log = _fixture.CreateLog();
        _fixture.Append(log, 3);

        log.HighWatermark = 10;
        Assert.Equal(3, log.HighWatermark);
        log.HighWatermark = -4;
        Assert.Equal(0, log.HighWatermark);
    }

    private byte[] ReadLogFile(long baseOffset)
    {
        using var stream = new FileStream(_fixture.SegmentFile(baseOffset, ".log"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private sealed class RecordingListener : ILogAppendListener
    {
        public List<(TopicPartition, long)> Calls { get; } = [];

        public void OnAppend(TopicPartition topicPartition, long logEndOffset) => Calls.Add((topicPartition, logEndOffset));
    }
}
