using Rill.Common;
using Rill.Protocol.Messages;
using Rill.TestKit;

namespace Rill.Server.Tests;

/// <summary>IncrementalAlterConfigs, AlterConfigs, DeleteRecords and DescribeLogDirs at the byte level.</summary>
public sealed class AdminApiTests : IClassFixture<BrokerFixture>
{
    private const sbyte TopicResource = 2;
    private const sbyte BrokerResource = 4;
    private readonly BrokerFixture _broker;

    public AdminApiTests(BrokerFixture broker)
    {
        _broker = broker;
    }

    [Fact]
    public async Task IncrementalAlterConfigs_SetsAndDeletesTopicOverrides_AndTheyApplyLive()
    {
        await using var client = await _broker.ConnectAsync();
        await ProduceFetchTests.CreateTopicAsync(client, "ac-live");
        var set = await AlterAsync(client, "ac-live", ("message.timestamp.type", TopicConfigChangesSet, "LogAppendTime"), ("retention.ms", TopicConfigChangesSet, "60000"));
        Assert.Equal((short)ErrorCode.None, set.ErrorCode);
        Assert.Equal(("60000", (sbyte)1), await DescribeAsync(client, "ac-live", "retention.ms"));

        var produced = await client.RoundTripAsync<ProduceResponse>(ApiKey.Produce, 9, ProduceFetchTests.ProduceTo("ac-live", 0, ProduceFetchTests.Batch(1, timestamp: 7)));
        Assert.True(produced.Responses[0].PartitionResponses[0].LogAppendTimeMs > 7);

        var deleted = await AlterAsync(client, "ac-live", ("retention.ms", 1, null));
        Assert.Equal((short)ErrorCode.None, deleted.ErrorCode);
        Assert.Equal(("604800000", (sbyte)5), await DescribeAsync(client, "ac-live", "retention.ms"));
    }

    [Fact]
    public async Task IncrementalAlterConfigs_AppendsToAndSubtractsFromLists()
    {
        await using var client = await _broker.ConnectAsync();
        await ProduceFetchTests.CreateTopicAsync(client, "ac-list");
        Assert.Equal((short)ErrorCode.None, (await AlterAsync(client, "ac-list", ("cleanup.policy", 2, "compact"))).ErrorCode);
        Assert.Equal("delete,compact", (await DescribeAsync(client, "ac-list", "cleanup.policy")).Value);
        Assert.Equal((short)ErrorCode.None, (await AlterAsync(client, "ac-list", ("cleanup.policy", 3, "delete"))).ErrorCode);
        Assert.Equal("compact", (await DescribeAsync(client, "ac-list", "cleanup.policy")).Value);
    }

    [Fact]
    public async Task IncrementalAlterConfigs_RefusesBadValuesUnknownKeysTopicsAndBrokerConfigs()
    {
        await using var client = await _broker.ConnectAsync();
        await ProduceFetchTests.CreateTopicAsync(client, "ac-bad");
        Assert.Equal((short)ErrorCode.InvalidConfig, (await AlterAsync(client, "ac-bad", ("retention.ms", TopicConfigChangesSet, "soon"))).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidConfig, (await AlterAsync(client, "ac-bad", ("no.such.key", TopicConfigChangesSet, "1"))).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidConfig, (await AlterAsync(client, "ac-bad", ("retention.ms", 2, "5"))).ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, (await AlterAsync(client, "ac-missing", ("retention.ms", TopicConfigChangesSet, "1"))).ErrorCode);
        var broker = await client.RoundTripAsync<IncrementalAlterConfigsResponse>(ApiKey.IncrementalAlterConfigs, 1, new IncrementalAlterConfigsRequest
        {
            Resources =
            [
                new IncrementalAlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = BrokerResource,
                    ResourceName = "1",
                    Configs = [new IncrementalAlterConfigsRequest.AlterableConfig { Name = "num.partitions", ConfigOperation = 0, Value = "4" }],
                },
            ],
        });
        Assert.Equal((short)ErrorCode.InvalidRequest, broker.Responses[0].ErrorCode);
        Assert.Equal("604800000", (await DescribeAsync(client, "ac-bad", "retention.ms")).Value);
    }

    [Fact]
    public async Task AlterConfigs_ReplacesEveryOverride()
    {
        await using var client = await _broker.ConnectAsync();
        await ProduceFetchTests.CreateTopicAsync(client, "ac-replace");
        await AlterAsync(client, "ac-replace", ("retention.ms", TopicConfigChangesSet, "1000"));
        var response = await client.RoundTripAsync<AlterConfigsResponse>(ApiKey.AlterConfigs, 2, new AlterConfigsRequest
        {
            Resources =
            [
                new AlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = TopicResource,
                    ResourceName = "ac-replace",
                    Configs = [new AlterConfigsRequest.AlterableConfig { Name = "retention.bytes", Value = "1048576" }],
                },
            ],
        });
        Assert.Equal((short)ErrorCode.None, response.Responses[0].ErrorCode);
        Assert.Equal(("1048576", (sbyte)1), await DescribeAsync(client, "ac-replace", "retention.bytes"));
        Assert.Equal(("604800000", (sbyte)5), await DescribeAsync(client, "ac-replace", "retention.ms"));
    }

    [Fact]
    public async Task DeleteRecords_MovesTheLogStartOffset_AndOlderOffsetsAreOutOfRange()
    {
        await using var client = await _broker.ConnectAsync();
        await ProduceFetchTests.CreateTopicAsync(client, "dr-topic");
        await client.RoundTripAsync<ProduceResponse>(ApiKey.Produce, 9, ProduceFetchTests.ProduceTo("dr-topic", 0, ProduceFetchTests.Batch(10)));
        var response = await DeleteRecordsAsync(client, "dr-topic", 5);
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.Equal(5, response.LowWatermark);
        Assert.Equal((short)ErrorCode.OffsetOutOfRange, (await DeleteRecordsAsync(client, "dr-topic", 11)).ErrorCode);
        var all = await DeleteRecordsAsync(client, "dr-topic", -1);
        Assert.Equal(10, all.LowWatermark);

        var list = await client.RoundTripAsync<ListOffsetsResponse>(ApiKey.ListOffsets, 7, new ListOffsetsRequest
        {
            ReplicaId = -1,
            Topics =
            [
                new ListOffsetsRequest.ListOffsetsTopic
                {
                    Name = "dr-topic",
                    Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = -2 }],
                },
            ],
        });
        Assert.Equal(10, list.Topics[0].Partitions[0].Offset);
    }

    [Fact]
    public async Task DescribeLogDirs_ReportsTheDirectoryAndPartitionSizes()
    {
        await using var client = await _broker.ConnectAsync();
        await ProduceFetchTests.CreateTopicAsync(client, "ld-topic");
        await client.RoundTripAsync<ProduceResponse>(ApiKey.Produce, 9, ProduceFetchTests.ProduceTo("ld-topic", 0, ProduceFetchTests.Batch(3)));
        var response = await client.RoundTripAsync<DescribeLogDirsResponse>(ApiKey.DescribeLogDirs, 4, new DescribeLogDirsRequest
        {
            Topics = [new DescribeLogDirsRequest.DescribableLogDirTopic { Topic = "ld-topic", Partitions = [0] }],
        });
        var dir = Assert.Single(response.Results);
        Assert.Equal(Path.GetFullPath(_broker.Node.DataDirectory), dir.LogDir);
        Assert.True(dir.TotalBytes > 0);
        var partition = Assert.Single(Assert.Single(dir.Topics).Partitions);
        Assert.True(partition.PartitionSize > 61, $"size {partition.PartitionSize}");
    }

    private const sbyte TopicConfigChangesSet = 0;

    private static async Task<IncrementalAlterConfigsResponse.AlterConfigsResourceResponse> AlterAsync(
        RawKafkaClient client,
        string topic,
        params (string Name, sbyte Operation, string? Value)[] changes)
    {
        var response = await client.RoundTripAsync<IncrementalAlterConfigsResponse>(ApiKey.IncrementalAlterConfigs, 1, new IncrementalAlterConfigsRequest
        {
            Resources =
            [
                new IncrementalAlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = TopicResource,
                    ResourceName = topic,
                    Configs = [.. changes.Select(c => new IncrementalAlterConfigsRequest.AlterableConfig { Name = c.Name, ConfigOperation = c.Operation, Value = c.Value })],
                },
            ],
        });
        return Assert.Single(response.Responses);
    }

    private static async Task<(string? Value, sbyte Source)> DescribeAsync(RawKafkaClient client, string topic, string key)
    {
        var response = await client.RoundTripAsync<DescribeConfigsResponse>(ApiKey.DescribeConfigs, 4, new DescribeConfigsRequest
        {
            Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = TopicResource, ResourceName = topic, ConfigurationKeys = [key] }],
        });
        var config = Assert.Single(Assert.Single(response.Results).Configs);
        return (config.Value, config.ConfigSource);
    }

    private static async Task<DeleteRecordsResponse.DeleteRecordsPartitionResult> DeleteRecordsAsync(RawKafkaClient client, string topic, long offset)
    {
        var response = await client.RoundTripAsync<DeleteRecordsResponse>(ApiKey.DeleteRecords, 2, new DeleteRecordsRequest
        {
            Topics =
            [
                new DeleteRecordsRequest.DeleteRecordsTopic
                {
                    Name = topic,
                    Partitions = [new DeleteRecordsRequest.DeleteRecordsPartition { PartitionIndex = 0, Offset = offset }],
                },
            ],
            TimeoutMs = 5000,
        });
        return response.Topics[0].Partitions[0];
    }
}
