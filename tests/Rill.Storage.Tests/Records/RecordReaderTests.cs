using System.Text;
using Rill.Common;
using Rill.Protocol.Records;

namespace Rill.Storage.Tests.Records;

public sealed class RecordReaderTests
{
    [Theory]
    [InlineData(CompressionCodec.None, false)]
    [InlineData(CompressionCodec.Gzip, false)]
    [InlineData(CompressionCodec.Snappy, false)]
    [InlineData(CompressionCodec.Snappy, true)]
    [InlineData(CompressionCodec.Lz4, false)]
    [InlineData(CompressionCodec.Zstd, false)]
    public void TryReadNext_YieldsWhatTheBuilderWrote(CompressionCodec codec, bool xerial)
    {
        var batch = new RecordBatchBuilder(codec) { XerialSnappyFraming = xerial, BaseOffset = 100 }
            .Append(5_000, Encoding.UTF8.GetBytes("key"), Encoding.UTF8.GetBytes("value"),
                [new RecordHeader("h1", [1, 2]), new RecordHeader("h2", null)])
            .Append(4_990, null, [])
            .Append(5_010, [], null)
            .Build();

        var reader = new RecordReader(batch, 1024 * 1024);
        try
        {
            Assert.True(reader.TryReadNext(out var first));
            Assert.Equal(100, first.Offset);
            Assert.Equal(5_000, first.Timestamp);
            Assert.Equal("key", Encoding.UTF8.GetString(first.Key));
            Assert.False(first.IsKeyNull);
            Assert.Equal("value", Encoding.UTF8.GetString(first.Value));
            Assert.Equal(2, first.HeaderCount);
            var headers = new List<string>();
            foreach (var header in first.Headers)
            {
                headers.Add($"{Encoding.UTF8.GetString(header.Key)}={(header.IsValueNull ? "null" : Convert.ToHexString(header.Value))}");
            }

            Assert.Equal(["h1=0102", "h2=null"], headers);

            Assert.True(reader.TryReadNext(out var second));
            Assert.Equal(101, second.Offset);
            Assert.Equal(4_990, second.Timestamp);
            Assert.True(second.IsKeyNull);
            Assert.False(second.IsValueNull);
            Assert.Equal(0, second.Value.Length);

            Assert.True(reader.TryReadNext(out var third));
            Assert.Equal(102, third.Offset);
            Assert.Equal(5_010, third.Timestamp);
            Assert.False(third.IsKeyNull);
            Assert.True(third.IsValueNull);
            Assert.Equal(0, third.HeaderCount);

            Assert.False(reader.TryReadNext(out _));
            Assert.Equal(ErrorCode.None, reader.ErrorCode);
        }
        finally
        {
            reader.Dispose();
        }
    }

    [Fact]
    public void TryReadNext_LogAppendTimeBatch_ReportsTheBatchTimestampForEveryRecord()
    {
        var batch = TestBatches.Build(3, 1_000, CompressionCodec.Gzip);
        RecordBatch.SetLogAppendTime(batch, 77_777);

        var reader = new RecordReader(batch, 1024 * 1024);
        var timestamps = new List<long>();
        while (reader.TryReadNext(out var record))
        {
            timestamps.Add(record.Timestamp);
        }

        reader.Dispose();
        Assert.Equal([77_777, 77_777, 77_777], timestamps);
    }

    [Fact]
    public void TryReadNext_CorruptCompressedBytes_StopsWithCorruptMessage()
    {
        var batch = TestBatches.Build(20, 1_000, CompressionCodec.Zstd);
        batch.AsSpan(RecordBatch.HeaderSize + 20, 8).Fill(0xEE);

        var reader = new RecordReader(batch, 1024 * 1024);

        Assert.False(reader.TryReadNext(out _));
        Assert.Equal(ErrorCode.CorruptMessage, reader.ErrorCode);
        reader.Dispose();
    }

    [Fact]
    public void TryReadNext_InflatingPastTheLimit_StopsWithMessageTooLarge()
    {
        var batch = TestBatches.Build(1, 1_000, CompressionCodec.Gzip, valueSize: 512 * 1024);

        var reader = new RecordReader(batch, 64 * 1024);

        Assert.False(reader.TryReadNext(out _));
        Assert.Equal(ErrorCode.MessageTooLarge, reader.ErrorCode);
        reader.Dispose();
    }
}
