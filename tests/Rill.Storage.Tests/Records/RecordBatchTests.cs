using System.Buffers.Binary;
using Rill.Common;
using Rill.Protocol.Records;

namespace Rill.Storage.Tests.Records;

public sealed class RecordBatchTests
{
    [Fact]
    public void Accessors_ReadTheHeaderTheBuilderWrote()
    {
        var batch = new RecordBatchBuilder(CompressionCodec.None)
        {
            BaseOffset = 5,
            PartitionLeaderEpoch = 7,
            ProducerId = 1000,
            ProducerEpoch = 3,
            BaseSequence = 42,
            IsTransactional = true,
        }
            .Append(1_000, [1], [2])
            .Append(900, null, [3])
            .Append(1_500, [4], null)
            .Build();

        Assert.Equal(5, RecordBatch.GetBaseOffset(batch));
        Assert.Equal(batch.Length - 12, RecordBatch.GetBatchLength(batch));
        Assert.Equal(batch.Length, RecordBatch.GetSizeInBytes(batch));
        Assert.Equal(7, RecordBatch.GetPartitionLeaderEpoch(batch));
        Assert.Equal(2, RecordBatch.GetMagic(batch));
        Assert.Equal(RecordBatch.TransactionalMask, RecordBatch.GetAttributes(batch));
        Assert.True(RecordBatch.IsTransactional(batch));
        Assert.False(RecordBatch.IsControlBatch(batch));
        Assert.Equal(CompressionCodec.None, RecordBatch.GetCompressionCodec(batch));
        Assert.Equal(TimestampType.CreateTime, RecordBatch.GetTimestampType(batch));
        Assert.Equal(2, RecordBatch.GetLastOffsetDelta(batch));
        Assert.Equal(7, RecordBatch.GetLastOffset(batch));
        Assert.Equal(8, RecordBatch.GetNextOffset(batch));
        Assert.Equal(1_000, RecordBatch.GetBaseTimestamp(batch));
        Assert.Equal(1_500, RecordBatch.GetMaxTimestamp(batch));
        Assert.Equal(1000, RecordBatch.GetProducerId(batch));
        Assert.Equal(3, RecordBatch.GetProducerEpoch(batch));
        Assert.Equal(42, RecordBatch.GetBaseSequence(batch));
        Assert.Equal(3, RecordBatch.GetRecordsCount(batch));
        Assert.Equal(Crc32C.Compute(batch.AsSpan(21)), RecordBatch.GetCrc(batch));
        Assert.True(RecordBatch.IsCrcValid(batch));
    }

    [Fact]
    public void Offsets_MatchKafkasLayout()
    {
        Assert.Equal(
            [0, 8, 12, 16, 17, 21, 23, 27, 35, 43, 51, 53, 57, 61],
            new[]
            {
                RecordBatch.BaseOffsetOffset, RecordBatch.BatchLengthOffset, RecordBatch.PartitionLeaderEpochOffset,
                RecordBatch.MagicOffset, RecordBatch.CrcOffset, RecordBatch.AttributesOffset, RecordBatch.LastOffsetDeltaOffset,
                RecordBatch.BaseTimestampOffset, RecordBatch.MaxTimestampOffset, RecordBatch.ProducerIdOffset,
                RecordBatch.ProducerEpochOffset, RecordBatch.BaseSequenceOffset, RecordBatch.RecordsCountOffset, RecordBatch.HeaderSize,
            });
    }

    [Fact]
    public void SetBaseOffsetAndLeaderEpoch_LeaveTheCrcValid()
    {
        var batch = TestBatches.Build(3, 1_000);
        var crc = RecordBatch.GetCrc(batch);

        RecordBatch.SetBaseOffset(batch, 123_456_789_012);
        RecordBatch.SetPartitionLeaderEpoch(batch, 9);

        Assert.Equal(123_456_789_012, BinaryPrimitives.ReadInt64BigEndian(batch));
        Assert.Equal(9, BinaryPrimitives.ReadInt32BigEndian(batch.AsSpan(12)));
        Assert.Equal(crc, RecordBatch.GetCrc(batch));
        Assert.True(RecordBatch.IsCrcValid(batch));
    }

    [Fact]
    public void SetLogAppendTime_SetsTypeBitAndMaxTimestampKeepsBaseTimestampAndRecomputesCrc()
    {
        var batch = TestBatches.Build(3, 1_000, CompressionCodec.Gzip);
        var original = batch.ToArray();

        Assert.True(RecordBatch.SetLogAppendTime(batch, 99_999));

        Assert.Equal(TimestampType.LogAppendTime, RecordBatch.GetTimestampType(batch));
        Assert.Equal(CompressionCodec.Gzip, RecordBatch.GetCompressionCodec(batch));
        Assert.Equal(0x09, RecordBatch.GetAttributes(batch));
        Assert.Equal(99_999, RecordBatch.GetMaxTimestamp(batch));
        Assert.Equal(1_000, RecordBatch.GetBaseTimestamp(batch));
        Assert.NotEqual(RecordBatch.GetCrc(original), RecordBatch.GetCrc(batch));
        Assert.True(RecordBatch.IsCrcValid(batch));
        Assert.Equal(original.AsSpan(RecordBatch.HeaderSize).ToArray(), batch.AsSpan(RecordBatch.HeaderSize).ToArray());
    }

    [Fact]
    public void SetMaxTimestamp_Unchanged_DoesNotTouchTheBytes()
    {
        var batch = TestBatches.Build(3, 1_000);
        var original = batch.ToArray();

        Assert.False(RecordBatch.SetMaxTimestamp(batch, TimestampType.CreateTime, 1_002));

        Assert.Equal(original, batch);
    }
}
