using System.Buffers.Binary;
using K4os.Hash.xxHash;
using Rill.Common;
using Rill.Protocol.Records;

namespace Rill.Storage.Tests.Records;

[Collection(typeof(AllocationMeasurements))]
public sealed class RecordBatchValidatorTests
{
    private static readonly RecordValidationOptions Producer = RecordValidationOptions.ForProducer(1024 * 1024, 64 * 1024 * 1024);

    [Fact]
    public void Validate_OneUncompressedBatch_ReturnsItsFacts()
    {
        var batch = TestBatches.Build(3, 1_000);

        var result = RecordBatchValidator.Validate(batch, Producer);

        Assert.Equal(ErrorCode.None, result.ErrorCode);
        Assert.Null(result.ErrorMessage);
        Assert.Equal(3, result.RecordCount);
        Assert.Equal(1_002, result.MaxTimestamp);
        Assert.Equal([new RecordBatchFacts(0, batch.Length, 3, 2, 1_002, CompressionCodec.None)], result.Batches);
    }

    [Fact]
    public void Validate_SeveralBatches_ReturnsFactsForEach()
    {
        var first = TestBatches.Build(2, 5_000);
        var second = TestBatches.Build(4, 3_000, CompressionCodec.Lz4);
        var third = TestBatches.Build(1, 9_000);

        var result = RecordBatchValidator.Validate(TestBatches.Concat(first, second, third), Producer);

        Assert.Equal(ErrorCode.None, result.ErrorCode);
        Assert.Equal(7, result.RecordCount);
        Assert.Equal(9_000, result.MaxTimestamp);
        Assert.Equal(
            [
                new RecordBatchFacts(0, first.Length, 2, 1, 5_001, CompressionCodec.None),
                new RecordBatchFacts(first.Length, second.Length, 4, 3, 3_003, CompressionCodec.Lz4),
                new RecordBatchFacts(first.Length + second.Length, third.Length, 1, 0, 9_000, CompressionCodec.None),
            ],
            result.Batches);
    }

    [Theory]
    [InlineData(CompressionCodec.Gzip, false)]
    [InlineData(CompressionCodec.Snappy, false)]
    [InlineData(CompressionCodec.Snappy, true)]
    [InlineData(CompressionCodec.Lz4, false)]
    [InlineData(CompressionCodec.Zstd, false)]
    public void Validate_CompressedBatch_ParsesItsRecords(CompressionCodec codec, bool xerial)
    {
        var batch = TestBatches.Build(200, 10_000, codec, xerial, valueSize: 300);

        var result = RecordBatchValidator.Validate(batch, Producer);

        Assert.Equal(ErrorCode.None, result.ErrorCode);
        Assert.Equal([new RecordBatchFacts(0, batch.Length, 200, 199, 10_199, codec)], result.Batches);
    }

    [Fact]
    public void Validate_XerialSnappy_StartsWithSnappyJavasHeader()
    {
        var batch = TestBatches.Build(3, 1_000, CompressionCodec.Snappy, xerial: true);

        Assert.Equal([0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1],
            batch.AsSpan(RecordBatch.HeaderSize, 16).ToArray());
        Assert.Equal(ErrorCode.None, RecordBatchValidator.Validate(batch, Producer).ErrorCode);
    }

    [Fact]
    public void Validate_Lz4FrameAsKafkasJavaClientWritesIt_Parses()
    {
        // Kafka's KafkaLZ4BlockOutputStream: FLG 0x60 (v1, independent blocks, no checksums), BD 0x40 (64 KiB),
        // header checksum = second byte of XXH32 over FLG..BD; here with one stored (uncompressed) block.
        var plain = TestBatches.Build(3, 1_000);
        var records = plain.AsSpan(RecordBatch.HeaderSize).ToArray();
        var frame = new List<byte> { 0x04, 0x22, 0x4D, 0x18, 0x60, 0x40 };
        frame.Add((byte)(XXH32.DigestOf(new byte[] { 0x60, 0x40 }, 0, 2) >> 8));
        var blockSize = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(blockSize, records.Length | unchecked((int)0x80000000));
        frame.AddRange(blockSize);
        frame.AddRange(records);
        frame.AddRange(new byte[4]);
        var batch = TestBatches.Concat(plain.AsSpan(0, RecordBatch.HeaderSize).ToArray(), [.. frame]);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatch.BatchLengthOffset), batch.Length - 12);
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(RecordBatch.AttributesOffset), (short)CompressionCodec.Lz4);
        TestBatches.WithCrcFixed(batch);

        var result = RecordBatchValidator.Validate(batch, Producer);

        Assert.Equal(ErrorCode.None, result.ErrorCode);
        Assert.Equal(3, result.RecordCount);
    }

    [Fact]
    public void Validate_NoBytes_ReturnsInvalidRecord()
    {
        var result = RecordBatchValidator.Validate(Array.Empty<byte>(), Producer);

        Assert.Equal(ErrorCode.InvalidRecord, result.ErrorCode);
        Assert.Empty(result.Batches);
    }

    [Fact]
    public void Validate_BatchWithBadCrc_ReturnsCorruptMessage()
    {
        var batch = TestBatches.Build(3, 1_000);
        batch[^1] ^= 0xFF;

        var result = RecordBatchValidator.Validate(batch, Producer);

        Assert.Equal(ErrorCode.CorruptMessage, result.ErrorCode);
        Assert.Equal(0, result.ErrorBatchIndex);
        Assert.StartsWith("CRC mismatch", result.ErrorMessage);
    }

    [Fact]
    public void Validate_SecondBatchCorrupt_NamesIt()
    {
        var second = TestBatches.Build(2, 1_000);
        second[RecordBatch.HeaderSize + 2] ^= 1;

        var result = RecordBatchValidator.Validate(TestBatches.Concat(TestBatches.Build(2, 1_000), second), Producer);

        Assert.Equal(ErrorCode.CorruptMessage, result.ErrorCode);
        Assert.Equal(1, result.ErrorBatchIndex);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(61)]
    public void Validate_TruncatedBatch_ReturnsCorruptMessage(int bytesCut)
    {
        var batch = TestBatches.Build(3, 1_000);

        var result = RecordBatchValidator.Validate(batch.AsMemory(0, batch.Length - bytesCut), Producer);

        Assert.Equal(ErrorCode.CorruptMessage, result.ErrorCode);
    }

    [Fact]
    public void Validate_PartialBatchAfterAWholeOne_ReturnsCorruptMessage()
    {
        var records = TestBatches.Concat(TestBatches.Build(2, 1_000), TestBatches.Build(2, 1_000).AsSpan(0, 30).ToArray());

        var result = RecordBatchValidator.Validate(records, Producer);

        Assert.Equal(ErrorCode.CorruptMessage, result.ErrorCode);
        Assert.Equal(1, result.ErrorBatchIndex);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(48)]
    [InlineData(-5)]
    public void Validate_BatchLengthBelowHeader_ReturnsCorruptMessage(int batchLength)
    {
        var batch = TestBatches.Build(3, 1_000);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatch.BatchLengthOffset), batchLength);

        Assert.Equal(ErrorCode.CorruptMessage, RecordBatchValidator.Validate(batch, Producer).ErrorCode);
    }

    [Fact]
    public void Validate_BatchLengthPastTheBytes_ReturnsCorruptMessage()
    {
        var batch = TestBatches.Build(3, 1_000);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatch.BatchLengthOffset), batch.Length);

        Assert.Equal(ErrorCode.CorruptMessage, RecordBatchValidator.Validate(batch, Producer).ErrorCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Validate_LegacyMagic_ReturnsInvalidRecordAsKafka4Does(byte magic)
    {
        var batch = TestBatches.Build(3, 1_000);
        batch[RecordBatch.MagicOffset] = magic;

        var result = RecordBatchValidator.Validate(batch, Producer);

        Assert.Equal(ErrorCode.InvalidRecord, result.ErrorCode);
        Assert.Contains("magic", result.ErrorMessage);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(0xFF)]
    public void Validate_UnknownMagic_ReturnsCorruptMessage(byte magic)
    {
        var batch = TestBatches.Build(3, 1_000);
        batch[RecordBatch.MagicOffset] = magic;

        Assert.Equal(ErrorCode.CorruptMessage, RecordBatchValidator.Validate(batch, Producer).ErrorCode);
    }

    [Theory]
    [InlineData(0x0005)]
    [InlineData(0x0007)]
    [InlineData(0x0080)]
    [InlineData(0x4000)]
    public void Validate_BadAttributes_ReturnsInvalidRecord(short attributes)
    {
        var batch = TestBatches.Build(3, 1_000);
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(RecordBatch.AttributesOffset), attributes);

        var result = RecordBatchValidator.Validate(TestBatches.WithCrcFixed(batch), Producer);

        Assert.Equal(ErrorCode.InvalidRecord, result.ErrorCode);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(0)]
    [InlineData(-1)]
    public void Validate_RecordCountDisagreeingWithRecords_ReturnsInvalidRecord(int recordsCount)
    {
        var batch = TestBatches.Build(3, 1_000);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatch.RecordsCountOffset), recordsCount);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatch.LastOffsetDeltaOffset), Math.Max(recordsCount - 1, 0));

        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate(TestBatches.WithCrcFixed(batch), Producer).ErrorCode);
    }

    [Fact]
    public void Validate_LastOffsetDeltaNotCountMinusOne_ReturnsInvalidRecord()
    {
        var batch = TestBatches.Build(3, 1_000);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatch.LastOffsetDeltaOffset), 5);

        var result = RecordBatchValidator.Validate(TestBatches.WithCrcFixed(batch), Producer);

        Assert.Equal(ErrorCode.InvalidRecord, result.ErrorCode);
        Assert.Contains("lastOffsetDelta", result.ErrorMessage);
    }

    [Fact]
    public void Validate_CompressedCountMismatch_ReturnsInvalidRecord()
    {
        var batch = TestBatches.Build(3, 1_000, CompressionCodec.Zstd);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatch.RecordsCountOffset), 2);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatch.LastOffsetDeltaOffset), 1);

        var result = RecordBatchValidator.Validate(TestBatches.WithCrcFixed(batch), Producer);

        Assert.Equal(ErrorCode.InvalidRecord, result.ErrorCode);
        Assert.Contains("bytes remain", result.ErrorMessage);
    }

    [Fact]
    public void Validate_RecordLengthWrong_ReturnsInvalidRecordNamingTheRecord()
    {
        var batch = TestBatches.Build(3, 1_000);
        // The first record's length varint is the first byte after the header; shrink it by one (zig-zag: 2 per unit).
        batch[RecordBatch.HeaderSize] -= 2;

        var result = RecordBatchValidator.Validate(TestBatches.WithCrcFixed(batch), Producer);

        Assert.Equal(ErrorCode.InvalidRecord, result.ErrorCode);
        Assert.Equal(0, result.ErrorBatchIndex);
        Assert.Equal(0, result.ErrorRecordIndex);
    }

    [Fact]
    public void Validate_OffsetDeltasOutOfOrder_ReturnsInvalidRecord()
    {
        var batch = new RecordBatchBuilder(CompressionCodec.None).Append(1_000, [1], [1]).Append(1_000, [2], [2]).Build();
        // Record 0: length, attributes, timestampDelta, then offsetDelta 0 -> 1 (zig-zag 2).
        batch[RecordBatch.HeaderSize + 3] = 2;

        var result = RecordBatchValidator.Validate(TestBatches.WithCrcFixed(batch), Producer);

        Assert.Equal(ErrorCode.InvalidRecord, result.ErrorCode);
        Assert.Equal(0, result.ErrorRecordIndex);
    }

    [Fact]
    public void Validate_GarbageCompressedPayload_ReturnsInvalidRecord()
    {
        var batch = TestBatches.Build(50, 1_000, CompressionCodec.Gzip);
        batch.AsSpan(RecordBatch.HeaderSize + 12, 20).Fill(0x5A);

        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate(TestBatches.WithCrcFixed(batch), Producer).ErrorCode);
    }

    [Theory]
    [InlineData(CompressionCodec.Gzip, false)]
    [InlineData(CompressionCodec.Snappy, false)]
    [InlineData(CompressionCodec.Snappy, true)]
    [InlineData(CompressionCodec.Lz4, false)]
    [InlineData(CompressionCodec.Zstd, false)]
    public void Validate_CompressedBatchInflatingPastTheLimit_ReturnsMessageTooLargeWithoutInflatingIt(CompressionCodec codec, bool xerial)
    {
        // 4 MiB of zeros compress to a few KiB: a small zip bomb against a 1 MiB limit.
        var batch = TestBatches.Build(1, 1_000, codec, xerial, valueSize: 4 * 1024 * 1024);
        var options = RecordValidationOptions.ForProducer(1024 * 1024, 1024 * 1024);
        Assert.True(batch.Length < 1024 * 1024);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = RecordBatchValidator.Validate(batch, options);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ErrorCode.MessageTooLarge, result.ErrorCode);
        Assert.True(allocated < 2 * 1024 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Validate_BatchOverMaxBytes_ReturnsMessageTooLarge()
    {
        var batch = TestBatches.Build(10, 1_000);

        var result = RecordBatchValidator.Validate(batch, RecordValidationOptions.ForProducer(batch.Length - 1, 1024 * 1024));

        Assert.Equal(ErrorCode.MessageTooLarge, result.ErrorCode);
        Assert.Equal(ErrorCode.None, RecordBatchValidator.Validate(batch, RecordValidationOptions.ForProducer(batch.Length, 1024 * 1024)).ErrorCode);
    }

    [Fact]
    public void Validate_ProducerBatchWithNonZeroBaseOffset_ReturnsInvalidRecord()
    {
        var batch = new RecordBatchBuilder(CompressionCodec.None) { BaseOffset = 3 }.Append(1, null, [1]).Build();

        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate(batch, Producer).ErrorCode);
        Assert.Equal(ErrorCode.None, RecordBatchValidator.Validate(batch, Producer with { FromClient = false }).ErrorCode);
    }

    [Fact]
    public void Validate_ControlBatchFromProducer_ReturnsInvalidRecord()
    {
        var batch = new RecordBatchBuilder(CompressionCodec.None) { IsControlBatch = true, IsTransactional = true, ProducerId = 1, ProducerEpoch = 0, BaseSequence = -1 }
            .Append(1, [0, 0, 0, 1], [0, 0, 0, 0, 0, 0]).Build();

        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate(batch, Producer).ErrorCode);
        Assert.Equal(ErrorCode.None, RecordBatchValidator.Validate(batch, Producer with { FromClient = false }).ErrorCode);
    }

    [Fact]
    public void Validate_IdempotentBatchWithoutSequence_ReturnsInvalidRecord()
    {
        var batch = new RecordBatchBuilder(CompressionCodec.None) { ProducerId = 7, ProducerEpoch = 0, BaseSequence = -1 }.Append(1, null, [1]).Build();

        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate(batch, Producer).ErrorCode);
    }

    [Fact]
    public void Validate_CreateTimeOutsideBounds_ReturnsInvalidTimestamp()
    {
        var batch = TestBatches.Build(3, 1_000);
        var options = Producer with { NowMs = 10_000, TimestampBeforeMaxMs = 5_000, TimestampAfterMaxMs = 0 };

        var result = RecordBatchValidator.Validate(batch, options);

        Assert.Equal(ErrorCode.InvalidTimestamp, result.ErrorCode);
        Assert.Equal(0, result.ErrorRecordIndex);
        Assert.Equal(ErrorCode.None, RecordBatchValidator.Validate(batch, options with { TimestampType = TimestampType.LogAppendTime }).ErrorCode);
    }

    [Fact]
    public void Validate_DoesNotModifyTheBytes()
    {
        var batch = TestBatches.Build(5, 1_000, CompressionCodec.Snappy);
        var copy = batch.ToArray();

        RecordBatchValidator.Validate(batch, Producer);

        Assert.Equal(copy, batch);
    }

    [Fact]
    public void Validate_UncompressedPath_AllocatesTheSameForTenOrThousandsOfRecords()
    {
        var small = TestBatches.Build(10, 1_000);
        var large = TestBatches.Build(5_000, 1_000);
        RecordBatchValidator.Validate(small, Producer);
        RecordBatchValidator.Validate(large, Producer);

        var smallAllocated = AllocationMeasurements.LeastAllocated(() => RecordBatchValidator.Validate(small, Producer));
        var largeAllocated = AllocationMeasurements.LeastAllocated(() => RecordBatchValidator.Validate(large, Producer));

        Assert.Equal(smallAllocated, largeAllocated);
        Assert.True(largeAllocated <= 64, $"allocated {largeAllocated} bytes");
    }
}
