using Rill.Protocol.Messages;

namespace Rill.Protocol.Tests;

/// <summary>Encodings pinned byte by byte from the protocol guide, so a symmetric bug in reader and writer cannot hide.</summary>
public sealed class KnownBytesTests
{
    [Fact]
    public void ApiVersionsRequest_V0WithHeaderV1_MatchesGuide()
    {
        var header = new RequestHeader { RequestApiKey = 18, RequestApiVersion = 0, CorrelationId = 1, ClientId = "ab" };
        byte[] expected = [0x00, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, (byte)'a', (byte)'b'];

        var bytes = Concat(KafkaMessage.Serialize(header, 1), KafkaMessage.Serialize(new ApiVersionsRequest(), 0));

        Assert.Equal(expected, bytes);
        var reader = new KafkaReader(bytes);
        var read = RequestHeader.ReadFrom(ref reader, out var headerVersion);
        Assert.Equal(1, headerVersion);
        Assert.Equal(ApiKey.ApiVersions, read.ApiKey);
        Assert.Equal("ab", read.ClientId);
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void ApiVersionsRequest_V3WithHeaderV2_MatchesGuide()
    {
        var header = new RequestHeader { RequestApiKey = 18, RequestApiVersion = 3, CorrelationId = 7, ClientId = "rdk" };
        var body = new ApiVersionsRequest { ClientSoftwareName = "librdkafka", ClientSoftwareVersion = "2.0.2" };
        var expected = Concat(
            [0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x07],
            [0x00, 0x03, .. "rdk"u8], // client id keeps its int16 length even in header v2
            [0x00], // header tag buffer
            [0x0B, .. "librdkafka"u8], // compact string: length + 1
            [0x06, .. "2.0.2"u8],
            [0x00]);

        var bytes = Concat(KafkaMessage.Serialize(header, 2), KafkaMessage.Serialize(body, 3));

        Assert.Equal(expected, bytes);
        var reader = new KafkaReader(bytes);
        var read = RequestHeader.ReadFrom(ref reader, out var headerVersion);
        Assert.Equal(2, headerVersion);
        var readBody = ApiVersionsRequest.Read(ref reader, read.RequestApiVersion);
        Assert.Equal("librdkafka", readBody.ClientSoftwareName);
        Assert.Equal("2.0.2", readBody.ClientSoftwareVersion);
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void MetadataRequest_V0_MatchesGuide()
    {
        var request = new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "t" }] };

        var bytes = KafkaMessage.Serialize(request, 0);

        Assert.Equal(new byte[] { 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, (byte)'t' }, bytes);
        Assert.Equal("t", Assert.Single(KafkaMessage.Deserialize<MetadataRequest>(bytes, 0).Topics!).Name);
    }

    [Fact]
    public void ProduceRequest_V3HeaderAndBody_MatchGuide()
    {
        var header = new RequestHeader { RequestApiKey = 0, RequestApiVersion = 3, CorrelationId = 42, ClientId = "c" };
        var request = new ProduceRequest
        {
            TransactionalId = null,
            Acks = -1,
            TimeoutMs = 1500,
            TopicData =
            [
                new ProduceRequest.TopicProduceData
                {
                    Name = "t",
                    PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = new byte[] { 0xDE, 0xAD } }],
                },
            ],
        };
        var expected = Concat(
            [0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x2A, 0x00, 0x01, (byte)'c'],
            [0xFF, 0xFF], // null transactional id
            [0xFF, 0xFF], // acks -1
            [0x00, 0x00, 0x05, 0xDC],
            [0x00, 0x00, 0x00, 0x01, 0x00, 0x01, (byte)'t'],
            [0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00],
            [0x00, 0x00, 0x00, 0x02, 0xDE, 0xAD]);

        Assert.Equal(1, RequestHeader.VersionFor(ApiKey.Produce, 3));
        var bytes = Concat(KafkaMessage.Serialize(header, 1), KafkaMessage.Serialize(request, 3));

        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void ProduceRequest_Read_RecordsAreASliceOfTheFrame()
    {
        var request = new ProduceRequest
        {
            TopicData = [new ProduceRequest.TopicProduceData { Name = "t", PartitionData = [new ProduceRequest.PartitionProduceData { Records = new byte[] { 1, 2, 3 } }] }],
        };
        var frame = KafkaMessage.Serialize(request, 9);

        var records = KafkaMessage.Deserialize<ProduceRequest>(frame, 9).TopicData[0].PartitionData[0].Records!.Value;

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(records, out var segment));
        Assert.Same(frame, segment.Array);
        Assert.Equal(frame.Length - 3 - 3, segment.Offset); // 3 record bytes, then 3 one-byte tag buffers
    }

    [Fact]
    public void CompactNullableString_NullAndEmpty_AreZeroAndOne()
    {
        Assert.Equal(new byte[] { 0x00 }, Write((ref KafkaWriter w) => w.WriteNullableString(null, compact: true), 1));
        Assert.Equal(new byte[] { 0x01 }, Write((ref KafkaWriter w) => w.WriteNullableString(string.Empty, compact: true), 1));
        Assert.Equal(new byte[] { 0xFF, 0xFF }, Write((ref KafkaWriter w) => w.WriteNullableString(null, compact: false), 2));
        Assert.Equal(new byte[] { 0x00, 0x00 }, Write((ref KafkaWriter w) => w.WriteNullableString(string.Empty, compact: false), 2));
        Assert.Equal(1, KafkaSize.String(null, compact: true));
        Assert.Equal(1, KafkaSize.String(string.Empty, compact: true));

        var reader = new KafkaReader(new byte[] { 0x00, 0x01 });
        Assert.Null(reader.ReadNullableString(compact: true));
        Assert.Equal(string.Empty, reader.ReadNullableString(compact: true));
    }

    [Fact]
    public void ApiVersionsResponse_V3TaggedFields_WrittenInTagOrderOnlyWhenNotDefault()
    {
        var response = new ApiVersionsResponse { ZkMigrationReady = true, FinalizedFeaturesEpoch = 5 };
        var expected = Concat(
            [0x00, 0x00], // error code
            [0x01], // empty compact array
            [0x00, 0x00, 0x00, 0x00], // throttle time
            [0x02], // two tagged fields
            [0x01, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x05], // tag 1, 8 bytes: FinalizedFeaturesEpoch
            [0x03, 0x01, 0x01]); // tag 3, 1 byte: ZkMigrationReady

        var bytes = KafkaMessage.Serialize(response, 3);

        Assert.Equal(expected, bytes);
        var read = KafkaMessage.Deserialize<ApiVersionsResponse>(bytes, 3);
        Assert.True(read.ZkMigrationReady);
        Assert.Equal(5, read.FinalizedFeaturesEpoch);
        Assert.Null(read.UnknownTaggedFields);
        Assert.Equal(new byte[] { 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 }, KafkaMessage.Serialize(new ApiVersionsResponse(), 3));
    }

    [Fact]
    public void UnknownTaggedFields_InterleaveWithKnownTagsInAscendingOrder()
    {
        var response = new ApiVersionsResponse
        {
            ZkMigrationReady = true,
            UnknownTaggedFields = [new RawTaggedField(2, new byte[] { 0xAB }), new RawTaggedField(9, new byte[] { 0xCD })],
        };

        var bytes = KafkaMessage.Serialize(response, 3);

        Assert.Equal(new byte[] { 0x03, 0x02, 0x01, 0xAB, 0x03, 0x01, 0x01, 0x09, 0x01, 0xCD }, bytes[7..]);
    }

    [Fact]
    public void ResponseHeader_ApiVersionsAlwaysV0_OthersV1WhenFlexible()
    {
        Assert.Equal(new byte[] { 0, 0, 0, 9 }, Write((ref KafkaWriter w) => ResponseHeader.WriteTo(ref w, ApiKey.ApiVersions, 3, 9), ResponseHeader.SizeFor(ApiKey.ApiVersions, 3)));
        Assert.Equal(new byte[] { 0, 0, 0, 9, 0 }, Write((ref KafkaWriter w) => ResponseHeader.WriteTo(ref w, ApiKey.Produce, 9, 9), ResponseHeader.SizeFor(ApiKey.Produce, 9)));
        Assert.Equal(new byte[] { 0, 0, 0, 9 }, Write((ref KafkaWriter w) => ResponseHeader.WriteTo(ref w, ApiKey.Produce, 8, 9), ResponseHeader.SizeFor(ApiKey.Produce, 8)));
    }

    [Fact]
    public void RequestHeader_ClientIdNull_WrittenAsInt16MinusOneInV2()
    {
        var header = new RequestHeader { RequestApiKey = 18, RequestApiVersion = 3, CorrelationId = 1, ClientId = null };

        Assert.Equal(new byte[] { 0, 0x12, 0, 3, 0, 0, 0, 1, 0xFF, 0xFF, 0 }, KafkaMessage.Serialize(header, 2));
    }

    internal delegate void WriteAction(ref KafkaWriter writer);

    internal static byte[] Write(WriteAction write, int size)
    {
        var buffer = new byte[size];
        var writer = new KafkaWriter(buffer);
        write(ref writer);
        Assert.Equal(size, writer.Position);
        return buffer;
    }

    internal static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
