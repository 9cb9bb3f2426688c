using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Rill.Common;
using Rill.Protocol.Records;

namespace Rill.Storage.Tests.Records;

public sealed class RecordBatchFilterTests
{
    private const long MaxUncompressed = 64 * 1024 * 1024;

    [Theory]
    [InlineData(CompressionCodec.None, false)]
    [InlineData(CompressionCodec.Gzip, false)]
    [InlineData(CompressionCodec.Snappy, false)]
    [InlineData(CompressionCodec.Snappy, true)]
    [InlineData(CompressionCodec.Lz4, false)]
    [InlineData(CompressionCodec.Zstd, false)]
    public void FilterTo_SomeRecordsKept_RebuildsTheBatchWithItsOffsetsProducerFieldsAndCodec(CompressionCodec codec, bool xerial)
    {
        var batch = Sample(codec, xerial);
        var output = new ArrayBufferWriter<byte>();
        var filter = new KeepOffsets(101, 103);

        var result = new RecordBatchFilter().FilterTo(batch, ref filter, 99_999, MaxUncompressed, output);

        Assert.Equal(new RecordFilterResult(RecordFilterOutcome.Rewritten, ErrorCode.None, 4, 2, output.WrittenCount), result);
        var rebuilt = output.WrittenSpan.ToArray();
        Assert.True(RecordBatch.IsCrcValid(rebuilt));
        Assert.Equal(
            (100L, 3, 2, 4, 9L, (short)2, 17, codec, 5_003L, false),
            (RecordBatch.GetBaseOffset(rebuilt), RecordBatch.GetLastOffsetDelta(rebuilt), RecordBatch.GetRecordsCount(rebuilt),
                RecordBatch.GetPartitionLeaderEpoch(rebuilt), RecordBatch.GetProducerId(rebuilt), RecordBatch.GetProducerEpoch(rebuilt),
                RecordBatch.GetBaseSequence(rebuilt), RecordBatch.GetCompressionCodec(rebuilt), RecordBatch.GetMaxTimestamp(rebuilt),
                RecordBatch.HasDeleteHorizon(rebuilt)));
        Assert.Equal(["101@5001 k1=v1 [h=01]", "103@5003 k3=v3 []"], Describe(rebuilt));

        // The append validator wants offset deltas 0..n-1, so a compacted batch is for the log and fetches only: a follower
        // copying it must append without those checks, as Kafka's follower path does.
        Assert.Equal(ErrorCode.InvalidRecord,
            RecordBatchValidator.Validate(rebuilt, RecordValidationOptions.ForProducer(1024 * 1024, MaxUncompressed) with { FromClient = false }).ErrorCode);
    }

    [Fact]
    public void FilterTo_EveryRecordKept_WritesTheOriginalBytes()
    {
        var batch = Sample(CompressionCodec.Gzip, xerial: false);
        var output = new ArrayBufferWriter<byte>();
        var filter = new KeepOffsets(100, 101, 102, 103);

        var result = new RecordBatchFilter().FilterTo(batch, ref filter, 99_999, MaxUncompressed, output);

        Assert.Equal(RecordFilterOutcome.Unchanged, result.Outcome);
        Assert.Equal(batch, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void FilterTo_NoRecordKept_WritesNothing()
    {
        var output = new ArrayBufferWriter<byte>();
        var filter = new KeepOffsets();

        var result = new RecordBatchFilter().FilterTo(Sample(CompressionCodec.Zstd, xerial: false), ref filter, 99_999, MaxUncompressed, output);

        Assert.Equal(new RecordFilterResult(RecordFilterOutcome.Emptied, ErrorCode.None, 4, 0, 0), result);
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void FilterTo_KeptTombstone_StampsTheDeleteHorizonOnceAndKeepsRecordTimestamps()
    {
        var batch = new RecordBatchBuilder(CompressionCodec.Lz4) { BaseOffset = 10 }
            .Append(1_000, Encoding.UTF8.GetBytes("a"), null)
            .Append(1_005, Encoding.UTF8.GetBytes("b"), Encoding.UTF8.GetBytes("1"))
            .Build();
        var output = new ArrayBufferWriter<byte>();
        var filter = new KeepOffsets(10, 11);
        var batchFilter = new RecordBatchFilter();

        Assert.Equal(RecordFilterOutcome.Rewritten, batchFilter.FilterTo(batch, ref filter, 500_000, MaxUncompressed, output).Outcome);

        var stamped = output.WrittenSpan.ToArray();
        Assert.Equal((true, 500_000L, 1_005L), (RecordBatch.HasDeleteHorizon(stamped), RecordBatch.GetDeleteHorizonMs(stamped), RecordBatch.GetMaxTimestamp(stamped)));
        Assert.Equal(["10@1000 a=null []", "11@1005 b=1 []"], Describe(stamped));
        var again = new ArrayBufferWriter<byte>();
        Assert.Equal(RecordFilterOutcome.Unchanged, batchFilter.FilterTo(stamped, ref filter, 900_000, MaxUncompressed, again).Outcome);
    }

    [Fact]
    public void FilterTo_RecordsThatDoNotParse_AreReportedCorrupt()
    {
        var batch = TestBatches.Build(2, 1_000);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatch.RecordsCountOffset), 3);
        RecordBatch.WriteCrc(batch);
        var output = new ArrayBufferWriter<byte>();
        var filter = new KeepOffsets(0);

        var result = new RecordBatchFilter().FilterTo(batch, ref filter, 0, MaxUncompressed, output);

        Assert.Equal((RecordFilterOutcome.Corrupt, ErrorCode.CorruptMessage, 0), (result.Outcome, result.ErrorCode, output.WrittenCount));
    }

    [Fact]
    public void WriteEmptyBatch_KeepsOffsetsAndProducerFieldsWithNoRecords()
    {
        var batch = Sample(CompressionCodec.Snappy, xerial: false);
        var output = new ArrayBufferWriter<byte>();

        Assert.Equal(RecordBatch.HeaderSize, RecordBatchFilter.WriteEmptyBatch(batch, output));

        var empty = output.WrittenSpan.ToArray();
        Assert.True(RecordBatch.IsCrcValid(empty));
        Assert.Equal(
            (100L, 103L, 0, CompressionCodec.None, 9L, 17, 5_003L, 5_003L),
            (RecordBatch.GetBaseOffset(empty), RecordBatch.GetLastOffset(empty), RecordBatch.GetRecordsCount(empty), RecordBatch.GetCompressionCodec(empty),
                RecordBatch.GetProducerId(empty), RecordBatch.GetBaseSequence(empty), RecordBatch.GetBaseTimestamp(empty), RecordBatch.GetMaxTimestamp(empty)));
        Assert.Empty(Describe(empty));
    }

    [Theory]
    [InlineData(CompressionCodec.None)]
    [InlineData(CompressionCodec.Zstd)]
    public void Validate_RequireKeys_RefusesAKeylessRecordNamingIt(CompressionCodec codec)
    {
        var batch = new RecordBatchBuilder(codec)
            .Append(1, [1], [1])
            .Append(2, [2], null)
            .Append(3, null, [3])
            .Build();
        var options = RecordValidationOptions.ForProducer(1024 * 1024, MaxUncompressed);

        var refused = RecordBatchValidator.Validate(batch, options with { RequireKeys = true });

        Assert.Equal((ErrorCode.InvalidRecord, 0, 2), (refused.ErrorCode, refused.ErrorBatchIndex, refused.ErrorRecordIndex));
        Assert.Equal(ErrorCode.None, RecordBatchValidator.Validate(batch, options).ErrorCode);
    }

    /// <summary>Offsets 100-103, timestamps 5000-5003, k0..k3 = v0..v3, record 1 with a header; leader epoch 4, producer 9/2/17.</summary>
    private static byte[] Sample(CompressionCodec codec, bool xerial)
    {
        var builder = new RecordBatchBuilder(codec)
        {
            XerialSnappyFraming = xerial,
            BaseOffset = 100,
            PartitionLeaderEpoch = 4,
            ProducerId = 9,
            ProducerEpoch = 2,
            BaseSequence = 17,
        };
        for (var i = 0; i < 4; i++)
        {
            builder.Append(5_000 + i, Encoding.UTF8.GetBytes($"k{i}"), Encoding.UTF8.GetBytes($"v{i}"), i == 1 ? [new RecordHeader("h", [1])] : []);
        }

        return builder.Build();
    }

    private static List<string> Describe(byte[] batch)
    {
        var described = new List<string>();
        var reader = new RecordReader(batch, MaxUncompressed);
        try
        {
            while (reader.TryReadNext(out var record))
            {
                var headers = new List<string>();
                foreach (var header in record.Headers)
                {
                    headers.Add($"{Encoding.UTF8.GetString(header.Key)}={Convert.ToHexString(header.Value)}");
                }

                var value = record.IsValueNull ? "null" : Encoding.UTF8.GetString(record.Value);
                described.Add($"{record.Offset}@{record.Timestamp} {Encoding.UTF8.GetString(record.Key)}={value} [{string.Join(",", headers)}]");
            }

            Assert.Equal(ErrorCode.None, reader.ErrorCode);
        }
        finally
        {
            reader.Dispose();
        }

        return described;
    }

    private readonly struct KeepOffsets(params long[] offsets) : IRecordFilter
    {
        public bool Retain(in RecordView record) => offsets.Contains(record.Offset);
    }
}
