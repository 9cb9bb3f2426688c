using Rill.Protocol.Messages;
using Rill.Protocol.MetadataRecords;

namespace Rill.Protocol.Tests;

public sealed class ApiKeysTests
{
    [Theory]
    [InlineData(ApiKey.ApiVersions, 0, 1, 0)]
    [InlineData(ApiKey.ApiVersions, 3, 2, 0)] // response header is v0 even when flexible (KIP-511)
    [InlineData(ApiKey.ApiVersions, 99, 2, 0)] // unknown newer versions still parse the header
    [InlineData(ApiKey.Produce, 8, 1, 0)]
    [InlineData(ApiKey.Produce, 9, 2, 1)]
    [InlineData(ApiKey.Fetch, 12, 2, 1)]
    [InlineData(ApiKey.ControlledShutdown, 0, 0, 0)] // the only request header v0
    [InlineData(ApiKey.ControlledShutdown, 1, 1, 0)]
    [InlineData(ApiKey.SaslHandshake, 1, 1, 0)] // never flexible
    public void HeaderVersion_PerApiKeyAndVersion(ApiKey apiKey, short apiVersion, short request, short response)
    {
        Assert.Equal(request, ApiKeys.RequestHeaderVersion(apiKey, apiVersion));
        Assert.Equal(response, ApiKeys.ResponseHeaderVersion(apiKey, apiVersion));
    }

    [Fact]
    public void Table_MatchesSchemaFacts()
    {
        var produce = ApiKeys.Get(ApiKey.Produce);
        Assert.Equal(("Produce", (short)0, (short)11, (short?)9), (produce.Name, produce.LowestVersion, produce.HighestVersion, produce.FirstFlexibleVersion));
        Assert.Null(ApiKeys.Get(ApiKey.SaslHandshake).FirstFlexibleVersion);
        Assert.True(ApiKeys.IsValid(ApiKey.ApiVersions));
        Assert.False(ApiKeys.IsValid((ApiKey)999));
        Assert.False(ApiKeys.IsValid((ApiKey)(-1)));
        Assert.Equal(88, ApiKeys.All.Count);
        Assert.Equal(ApiKeys.All.OrderBy(k => k.Key).Select(k => k.Key), ApiKeys.All.Select(k => k.Key));
        Assert.Equal(ApiKey.Produce, ProduceRequest.ApiKey);
        Assert.Equal(11, ProduceResponse.HighestSupportedVersion);
    }

    [Fact]
    public void RequestHeader_UnknownApiKey_ReadAsV1()
    {
        byte[] bytes = [0x03, 0xE7, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x01, (byte)'x'];
        var reader = new KafkaReader(bytes);

        var header = RequestHeader.ReadFrom(ref reader, out var headerVersion);

        Assert.Equal(1, headerVersion);
        Assert.Equal(5, header.CorrelationId);
        Assert.Equal("x", header.ClientId);
    }

    [Fact]
    public void RequestHeader_ControlledShutdownV0_HasNoClientId()
    {
        byte[] bytes = [0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05];
        var reader = new KafkaReader(bytes);

        var header = RequestHeader.ReadFrom(ref reader, out var headerVersion);

        Assert.Equal(0, headerVersion);
        Assert.Equal(string.Empty, header.ClientId);
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void RequestHeader_TooShortToPeek_ThrowsProtocolException()
    {
        Assert.Throws<ProtocolException>(() =>
        {
            var reader = new KafkaReader(new byte[] { 0x00, 0x12, 0x00 });
            RequestHeader.ReadFrom(ref reader, out _);
        });
    }

    [Fact]
    public void MetadataRecordTypes_ReadByTypeId()
    {
        var record = new TopicRecord { Name = "t", TopicId = Common.Uuid.NewRandom() };
        var bytes = KafkaMessage.Serialize(record, 0);
        var reader = new KafkaReader(bytes);

        var read = Assert.IsType<TopicRecord>(MetadataRecordTypes.Read(MetadataRecordType.Topic, ref reader, 0));

        Assert.Equal(record.TopicId, read.TopicId);
        Assert.Equal(MetadataRecordType.Topic, TopicRecord.RecordType);
        Assert.True(MetadataRecordTypes.TryGet(MetadataRecordType.PartitionChange, out var info));
        Assert.Equal(("PartitionChangeRecord", (short)0, (short)2), (info.Name, info.LowestVersion, info.HighestVersion));
        Assert.Equal(25, MetadataRecordTypes.All.Count);
    }
}
