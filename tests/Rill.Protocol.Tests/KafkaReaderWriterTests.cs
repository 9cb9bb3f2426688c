using Rill.Common;

namespace Rill.Protocol.Tests;

public sealed class KafkaReaderWriterTests
{
    [Fact]
    public void Primitives_RoundTrip_BigEndian()
    {
        var buffer = new byte[1 + 1 + 2 + 2 + 4 + 4 + 8 + 8 + 16];
        var writer = new KafkaWriter(buffer);
        var id = new Uuid(0x0102030405060708, -1);
        writer.WriteInt8(-2);
        writer.WriteBoolean(true);
        writer.WriteInt16(-3);
        writer.WriteUInt16(65535);
        writer.WriteInt32(0x01020304);
        writer.WriteUInt32(uint.MaxValue);
        writer.WriteInt64(long.MinValue);
        writer.WriteFloat64(1.5);
        writer.WriteUuid(id);
        Assert.Equal(buffer.Length, writer.Position);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, buffer[6..10]);

        var reader = new KafkaReader(buffer);
        Assert.Equal(-2, reader.ReadInt8());
        Assert.True(reader.ReadBoolean());
        Assert.Equal(-3, reader.ReadInt16());
        Assert.Equal(65535, reader.ReadUInt16());
        Assert.Equal(0x01020304, reader.ReadInt32());
        Assert.Equal(uint.MaxValue, reader.ReadUInt32());
        Assert.Equal(long.MinValue, reader.ReadInt64());
        Assert.Equal(1.5, reader.ReadFloat64());
        Assert.Equal(id, reader.ReadUuid());
        Assert.Equal(0, reader.Remaining);
    }

    [Theory]
    [InlineData(0u, 1)]
    [InlineData(127u, 1)]
    [InlineData(128u, 2)]
    [InlineData(16383u, 2)]
    [InlineData(16384u, 3)]
    [InlineData(uint.MaxValue, 5)]
    public void UnsignedVarInt_RoundTrip(uint value, int size)
    {
        var buffer = new byte[size];
        var writer = new KafkaWriter(buffer);
        writer.WriteUnsignedVarInt(value);
        Assert.Equal(size, KafkaSize.UnsignedVarInt(value));
        Assert.Equal(size, writer.Position);

        var reader = new KafkaReader(buffer);
        Assert.Equal(value, reader.ReadUnsignedVarInt());
        Assert.Equal(0, reader.Remaining);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(63L)]
    [InlineData(-64L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void VarLong_RoundTrip_ZigZag(long value)
    {
        var buffer = new byte[KafkaSize.VarLong(value)];
        var writer = new KafkaWriter(buffer);
        writer.WriteVarLong(value);
        var reader = new KafkaReader(buffer);
        Assert.Equal(value, reader.ReadVarLong());

        var small = (int)Math.Clamp(value, int.MinValue, int.MaxValue);
        buffer = new byte[KafkaSize.VarInt(small)];
        writer = new KafkaWriter(buffer);
        writer.WriteVarInt(small);
        reader = new KafkaReader(buffer);
        Assert.Equal(small, reader.ReadVarInt());
    }

    [Theory]
    [InlineData("")]
    [InlineData("topic")]
    [InlineData("\u00e9\u4e2d\ud83d\ude00")]
    public void Strings_RoundTrip_CompactAndNot(string value)
    {
        foreach (var compact in new[] { false, true })
        {
            var buffer = new byte[KafkaSize.String(value, compact)];
            var writer = new KafkaWriter(buffer);
            writer.WriteString(value, compact);
            Assert.Equal(buffer.Length, writer.Position);
            var reader = new KafkaReader(buffer);
            Assert.Equal(value, reader.ReadString(compact));
        }
    }

    [Fact]
    public void CompactString_PrefixSizeAmbiguous_StillExact()
    {
        // 60 chars of 3-byte UTF-8: 180 bytes, so the prefix takes 2 bytes though the char count suggests 1.
        var value = new string('\u4e2d', 60);
        var buffer = new byte[KafkaSize.String(value, compact: true)];
        var writer = new KafkaWriter(buffer);
        writer.WriteString(value, compact: true);
        Assert.Equal(182, writer.Position);
        var reader = new KafkaReader(buffer);
        Assert.Equal(value, reader.ReadString(compact: true));
    }

    [Fact]
    public void WriteString_LongerThanInt16Max_Throws()
    {
        var value = new string('a', 40_000);
        Assert.Throws<InvalidOperationException>(() => KafkaSize.String(value, compact: true));
        Assert.Throws<InvalidOperationException>(() =>
        {
            var writer = new KafkaWriter(new byte[50_000]);
            writer.WriteString(value, compact: false);
        });
    }

    [Fact]
    public void Writer_DestinationTooSmall_ThrowsInvalidOperation()
    {
        Assert.Throws<InvalidOperationException>(() =>
        {
            var writer = new KafkaWriter(new byte[3]);
            writer.WriteInt32(1);
        });
    }

    [Fact]
    public void Records_NullAndEmpty_Distinct()
    {
        var buffer = new byte[KafkaSize.Records(null, compact: true) + KafkaSize.Records(ReadOnlyMemory<byte>.Empty, compact: false)];
        var writer = new KafkaWriter(buffer);
        writer.WriteRecords(null, compact: true);
        writer.WriteRecords(ReadOnlyMemory<byte>.Empty, compact: false);
        Assert.Equal(new byte[] { 0x00, 0, 0, 0, 0 }, buffer);

        var reader = new KafkaReader(buffer);
        Assert.Null(reader.ReadRecords(compact: true));
        Assert.Equal(0, reader.ReadRecords(compact: false)!.Value.Length);
    }

    [Fact]
    public void UnknownTaggedFields_WrittenAroundKnownTags()
    {
        List<RawTaggedField> fields = [new(0, new byte[] { 9 }), new(4, new byte[] { 8 })];
        var buffer = new byte[7];
        var writer = new KafkaWriter(buffer);
        var index = 0;
        writer.WriteUnknownTaggedFields(fields, ref index, belowTag: 2);
        writer.WriteInt8(0x77); // a known tag 2 would be written here
        writer.WriteRemainingUnknownTaggedFields(fields, ref index);

        Assert.Equal(new byte[] { 0, 1, 9, 0x77, 4, 1, 8 }, buffer);
    }
}
