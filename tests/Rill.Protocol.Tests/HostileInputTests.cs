using Rill.Protocol.Messages;

namespace Rill.Protocol.Tests;

/// <summary>Malformed input throws ProtocolException, never another exception, and never allocates by a hostile count.</summary>
public sealed class HostileInputTests
{
    public static TheoryData<string, short> TruncationCases() => new()
    {
        { typeof(ProduceRequest).FullName!, 3 },
        { typeof(ProduceRequest).FullName!, 9 },
        { typeof(FetchRequest).FullName!, 4 },
        { typeof(FetchRequest).FullName!, 15 },
        { typeof(FetchResponse).FullName!, 16 },
        { typeof(MetadataRequest).FullName!, 12 },
        { typeof(MetadataResponse).FullName!, 12 },
        { typeof(ApiVersionsRequest).FullName!, 3 },
        { typeof(ApiVersionsResponse).FullName!, 3 },
        { typeof(JoinGroupRequest).FullName!, 6 },
        { typeof(RequestHeader).FullName!, 2 },
        { typeof(MetadataRecords.PartitionChangeRecord).FullName!, 2 },
        { typeof(CoordinatorRecords.ConsumerGroupMemberMetadataValue).FullName!, 0 },
    };

    [Theory]
    [MemberData(nameof(TruncationCases))]
    public void Read_TruncatedAtEveryLength_ThrowsProtocolException(string typeName, short version)
    {
        var type = typeof(KafkaReader).Assembly.GetType(typeName)!;
        var bytes = KafkaMessage.Serialize((IKafkaMessage)new MessageFiller().Fill(type, version), version);

        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes[..length];
            Assert.Throws<ProtocolException>(() => RoundTripTests.Deserialize(type, prefix, version));
        }
    }

    [Fact]
    public void Read_ArrayCountMaxWithTenBytesLeft_ThrowsBeforeAllocating()
    {
        byte[] bytes = [0x7F, 0xFF, 0xFF, 0xFF, .. new byte[10]];

        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ProtocolException>(() => KafkaMessage.Deserialize<MetadataRequest>(bytes, 0));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("2147483647", e.Message, StringComparison.Ordinal);
        Assert.Equal(Common.ErrorCode.InvalidRequest, e.ErrorCode);
        Assert.True(allocated < 100_000, $"allocated {allocated} bytes");
    }

    [Fact]
    public void ReadArrayCount_CountTimesElementSizeExceedsRemaining_Throws()
    {
        // 3 int32 elements need 12 bytes; 11 are left.
        byte[] bytes = [0x00, 0x00, 0x00, 0x03, .. new byte[11]];

        Assert.Throws<ProtocolException>(() =>
        {
            var reader = new KafkaReader(bytes);
            reader.ReadArrayCount(compact: false, minElementSize: 4);
        });
    }

    [Fact]
    public void ReadArrayCount_CompactCountBeyondInt32_Throws()
    {
        byte[] bytes = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F];

        Assert.Throws<ProtocolException>(() =>
        {
            var reader = new KafkaReader(bytes);
            reader.ReadNullableArrayCount(compact: true, minElementSize: 1);
        });
    }

    [Fact]
    public void Read_NullArrayWhereSchemaForbidsNull_Throws()
    {
        // MetadataRequest v0 topics are not nullable.
        Assert.Throws<ProtocolException>(() => KafkaMessage.Deserialize<MetadataRequest>(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }, 0));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE })] // -2
    [InlineData(new byte[] { 0x80, 0x00 })] // -32768
    [InlineData(new byte[] { 0x00, 0x05, 0x61, 0x62 })] // 5 bytes announced, 2 present
    public void ReadString_BadLength_Throws(byte[] bytes)
    {
        Assert.Throws<ProtocolException>(() =>
        {
            var reader = new KafkaReader(bytes);
            reader.ReadNullableString(compact: false);
        });
    }

    [Fact]
    public void ReadString_CompactLongerThanInt16Max_Throws()
    {
        // Length 40000 + 1 as a varint, with enough bytes behind it.
        var bytes = new byte[3 + 40_000];
        var writer = new KafkaWriter(bytes);
        writer.WriteUnsignedVarInt(40_001);

        Assert.Throws<ProtocolException>(() =>
        {
            var reader = new KafkaReader(bytes);
            reader.ReadString(compact: true);
        });
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })] // six bytes
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x7F })] // fifth byte sets bits past 32
    [InlineData(new byte[] { 0x80, 0x80 })] // truncated
    [InlineData(new byte[] { })]
    public void ReadUnsignedVarInt_Malformed_Throws(byte[] bytes)
    {
        Assert.Throws<ProtocolException>(() =>
        {
            var reader = new KafkaReader(bytes);
            reader.ReadUnsignedVarInt();
        });
    }

    [Fact]
    public void ReadBytes_NegativeLength_Throws()
    {
        Assert.Throws<ProtocolException>(() =>
        {
            var reader = new KafkaReader(new byte[] { 0xFF, 0xFF, 0xFF, 0xFE });
            reader.ReadNullableBytes(compact: false);
        });
    }

    [Fact]
    public void ReadRecords_LengthBeyondBuffer_Throws()
    {
        Assert.Throws<ProtocolException>(() =>
        {
            var reader = new KafkaReader(new byte[] { 0x00, 0x00, 0x10, 0x00, 1, 2, 3 });
            reader.ReadRecords(compact: false);
        });
    }

    [Fact]
    public void ReadTaggedFields_CountThatCannotFit_Throws()
    {
        // ApiVersionsRequest v3: two empty compact strings, then a tag buffer claiming 1000 fields.
        byte[] bytes = [0x01, 0x01, 0xE8, 0x07, 0x00, 0x00];

        Assert.Throws<ProtocolException>(() => KafkaMessage.Deserialize<ApiVersionsRequest>(bytes, 3));
    }

    [Fact]
    public void ReadTaggedFields_KnownTagWithWrongSize_Throws()
    {
        // ApiVersionsResponse v3 whose tag 3 (a one-byte bool) claims two bytes.
        byte[] bytes = [0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x02, 0x01, 0x00];

        Assert.Throws<ProtocolException>(() => KafkaMessage.Deserialize<ApiVersionsResponse>(bytes, 3));
    }

    [Fact]
    public void Read_TrailingBytes_DeserializeThrows()
    {
        Assert.Throws<ProtocolException>(() => KafkaMessage.Deserialize<ApiVersionsRequest>(new byte[] { 0x00 }, 0));
    }

    [Fact]
    public void Read_RandomBytes_OnlyEverThrowsProtocolException()
    {
        var random = new Random(20261124);
        Type[] types = [typeof(ProduceRequest), typeof(FetchRequest), typeof(MetadataRequest), typeof(ApiVersionsRequest), typeof(JoinGroupRequest), typeof(RequestHeader)];
        foreach (var type in types)
        {
            for (short version = 0; version <= MessageFiller.Highest(type); version++)
            {
                for (var i = 0; i < 200; i++)
                {
                    var bytes = new byte[random.Next(0, 64)];
                    random.NextBytes(bytes);
                    try
                    {
                        RoundTripTests.Deserialize(type, bytes, version);
                    }
                    catch (ProtocolException)
                    {
                    }
                }
            }
        }
    }
}
