using Rill.Common;
using Rill.Config;
using Rill.Protocol.Messages;
using Rill.TestKit;

namespace Rill.Server.Tests;

/// <summary>
/// Dynamic broker configs over the wire: IncrementalAlterConfigs / AlterConfigs / DescribeConfigs on the BROKER
/// resource, their effect on topics and logs, and their survival of a restart. Each test has a node of its own because
/// the cluster default touches every topic.
/// </summary>
public sealed class DynamicBrokerConfigApiTests
{
    private const sbyte TopicResource = 2;
    private const sbyte BrokerResource = 4;
    private const sbyte BrokerLoggerResource = 8;
    private const sbyte Set = 0;
    private const sbyte Delete = 1;
    private const sbyte Append = 2;
    private const string ClusterDefault = "";
    private const string ThisBroker = "1";

    [Fact]
    public async Task ClusterDefault_AppliesToEveryTopicWithoutAnOverride_AndToItsLogs()
    {
        await using var node = await RillTestNode.StartAsync();
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);
        await ProduceFetchTests.CreateTopicAsync(client, "made-before");

        var set = await AlterAsync(client, BrokerResource, ClusterDefault, validateOnly: false, ("log.retention.ms", Set, "3600000"));
        await ProduceFetchTests.CreateTopicAsync(client, "made-after");

        Assert.Equal(((short)ErrorCode.None, (string?)null), (set.ErrorCode, set.ErrorMessage));
        foreach (var topic in new[] { "made-before", "made-after" })
        {
            var entry = await DescribeAsync(client, TopicResource, topic, "retention.ms");
            Assert.Equal(("3600000", (sbyte)ConfigSource.DynamicDefaultBrokerConfig, false), (entry.Value, entry.ConfigSource, entry.IsDefault));
            Assert.Equal(
                [
                    ("log.retention.ms", "3600000", (sbyte)ConfigSource.DynamicDefaultBrokerConfig),
                    ("log.retention.hours", "168", (sbyte)ConfigSource.DefaultConfig),
                ],
                Synonyms(entry));
            Assert.Equal(3_600_000L, LogOf(node, topic).Config.RetentionMs);
        }
    }

    [Fact]
    public async Task PerBrokerValue_WinsOverTheClusterDefault_AndATopicOverrideWinsOverBoth()
    {
        await using var node = await RillTestNode.StartAsync();
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);
        await ProduceFetchTests.CreateTopicAsync(client, "plain");
        await ProduceFetchTests.CreateTopicAsync(client, "overridden");
        await AlterAsync(client, TopicResource, "overridden", validateOnly: false, ("retention.ms", Set, "1000"));

        Assert.Equal((short)ErrorCode.None, (await AlterAsync(client, BrokerResource, ClusterDefault, validateOnly: false, ("log.retention.ms", Set, "3600000"))).ErrorCode);
        Assert.Equal((short)ErrorCode.None, (await AlterAsync(client, BrokerResource, ThisBroker, validateOnly: false, ("log.retention.ms", Set, "7200000"))).ErrorCode);

        var plain = await DescribeAsync(client, TopicResource, "plain", "retention.ms");
        Assert.Equal(("7200000", (sbyte)ConfigSource.DynamicBrokerConfig), (plain.Value, plain.ConfigSource));
        Assert.Equal(
            [
                ("log.retention.ms", "7200000", (sbyte)ConfigSource.DynamicBrokerConfig),
                ("log.retention.ms", "3600000", (sbyte)ConfigSource.DynamicDefaultBrokerConfig),
                ("log.retention.hours", "168", (sbyte)ConfigSource.DefaultConfig),
            ],
            Synonyms(plain));
        Assert.Equal(7_200_000L, LogOf(node, "plain").Config.RetentionMs);
        var overridden = await DescribeAsync(client, TopicResource, "overridden", "retention.ms");
        Assert.Equal(("1000", (sbyte)ConfigSource.DynamicTopicConfig), (overridden.Value, overridden.ConfigSource));
        Assert.Equal(("retention.ms", "1000", (sbyte)ConfigSource.DynamicTopicConfig), Synonyms(overridden)[0]);
        Assert.Equal(1_000L, LogOf(node, "overridden").Config.RetentionMs);
    }

    [Fact]
    public async Task Delete_RestoresTheStaticValue()
    {
        await using var node = await RillTestNode.StartAsync("log.retention.hours=2");
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);
        await ProduceFetchTests.CreateTopicAsync(client, "restored");
        await AlterAsync(client, BrokerResource, ClusterDefault, validateOnly: false, ("log.retention.ms", Set, "60000"));
        Assert.Equal(60_000L, LogOf(node, "restored").Config.RetentionMs);

        var deleted = await AlterAsync(client, BrokerResource, ClusterDefault, validateOnly: false, ("log.retention.ms", Delete, null));

        Assert.Equal((short)ErrorCode.None, deleted.ErrorCode);
        var entry = await DescribeAsync(client, TopicResource, "restored", "retention.ms");
        Assert.Equal(("7200000", (sbyte)ConfigSource.StaticBrokerConfig), (entry.Value, entry.ConfigSource));
        Assert.Equal(7_200_000L, LogOf(node, "restored").Config.RetentionMs);
        Assert.Empty((await DescribeBrokerAsync(client, ClusterDefault)).Configs);
    }

    public static TheoryData<sbyte, string, string, sbyte, string?, ErrorCode, string> Refusals => new()
    {
        { BrokerResource, ClusterDefault, "num.partitions", Set, "4", ErrorCode.InvalidRequest, "Cannot update these configs dynamically: Set(num.partitions)" },
        { BrokerResource, ThisBroker, "log.retention.hours", Set, "1", ErrorCode.InvalidRequest, "Cannot update these configs dynamically: Set(log.retention.hours)" },
        { BrokerResource, ClusterDefault, "log.retention.ms", Set, "soon", ErrorCode.InvalidConfig, "Invalid value 'soon' for configuration 'log.retention.ms': must be a whole number between -9223372036854775808 and 9223372036854775807." },
        { BrokerResource, ClusterDefault, "log.segment.bytes", Set, "1024", ErrorCode.InvalidConfig, "Invalid value '1024' for configuration 'log.segment.bytes': must be at least 1048576." },
        { BrokerResource, ClusterDefault, "no.such.key", Set, "1", ErrorCode.InvalidConfig, "Unknown config name: no.such.key" },
        { BrokerResource, ClusterDefault, "retention.ms", Set, "1", ErrorCode.InvalidConfig, "Unknown config name: retention.ms" },
        { BrokerResource, ClusterDefault, "log.retention.ms", Set, null, ErrorCode.InvalidRequest, "Null value not supported for : log.retention.ms" },
        { BrokerResource, ClusterDefault, "log.retention.ms", Append, "1", ErrorCode.InvalidConfig, "Config value append is not allowed for config key: log.retention.ms" },
        { BrokerResource, ClusterDefault, "log.retention.ms", 9, "1", ErrorCode.InvalidRequest, "Unknown operations type 9" },
        { BrokerResource, "7", "log.retention.ms", Set, "1", ErrorCode.InvalidRequest, "Unexpected broker id, expected 1, but received 7" },
        { BrokerResource, "one", "log.retention.ms", Set, "1", ErrorCode.InvalidRequest, "Node id must be an integer, but it is: one" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task IncrementalAlterConfigs_RefusesWhatKafkaRefuses_AndChangesNothing(
        sbyte resourceType,
        string resourceName,
        string key,
        sbyte operation,
        string? value,
        ErrorCode error,
        string message)
    {
        await using var node = await RillTestNode.StartAsync();
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);

        var response = await AlterAsync(client, resourceType, resourceName, validateOnly: false, (key, operation, value));

        Assert.Equal(((short)error, message), (response.ErrorCode, response.ErrorMessage));
        Assert.Empty((await DescribeBrokerAsync(client, ClusterDefault)).Configs);
        Assert.Empty(node.Node.Metadata.Image.Configs);
    }

    [Fact]
    public async Task ValidateOnly_ChecksButRecordsNothing()
    {
        await using var node = await RillTestNode.StartAsync();
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);
        await ProduceFetchTests.CreateTopicAsync(client, "untouched");

        var valid = await AlterAsync(client, BrokerResource, ThisBroker, validateOnly: true, ("log.retention.ms", Set, "1000"));
        var invalid = await AlterAsync(client, BrokerResource, ThisBroker, validateOnly: true, ("log.retention.ms", Set, "-5"));

        Assert.Equal((short)ErrorCode.None, valid.ErrorCode);
        Assert.Equal(
            ((short)ErrorCode.InvalidConfig, "Invalid value '-5' for configuration 'log.retention.ms': must be at least -1."),
            (invalid.ErrorCode, invalid.ErrorMessage));
        Assert.Empty(node.Node.Metadata.Image.Configs);
        Assert.Equal(("604800000", (sbyte)ConfigSource.DefaultConfig), Summary(await DescribeAsync(client, TopicResource, "untouched", "retention.ms")));
        Assert.Equal(604_800_000L, LogOf(node, "untouched").Config.RetentionMs);
    }

    [Fact]
    public async Task DynamicConfigs_SurviveARestart_AndApplyToTheLogsAgain()
    {
        await using var node = await RillTestNode.StartAsync();
        await using (var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port))
        {
            await ProduceFetchTests.CreateTopicAsync(client, "kept");
            await AlterAsync(client, BrokerResource, ClusterDefault, validateOnly: false, ("log.retention.ms", Set, "3600000"), ("log.segment.bytes", Set, "2097152"));
            await AlterAsync(client, BrokerResource, ThisBroker, validateOnly: false, ("log.segment.bytes", Set, "4194304"));
        }

        await node.RestartAsync();

        await using var after = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);
        Assert.Equal(("3600000", (sbyte)ConfigSource.DynamicDefaultBrokerConfig), Summary(await DescribeAsync(after, TopicResource, "kept", "retention.ms")));
        Assert.Equal(("4194304", (sbyte)ConfigSource.DynamicBrokerConfig), Summary(await DescribeAsync(after, TopicResource, "kept", "segment.bytes")));
        var log = LogOf(node, "kept");
        Assert.Equal((3_600_000L, 4_194_304), (log.Config.RetentionMs, log.Config.SegmentBytes));
    }

    [Fact]
    public async Task LoweringMessageMaxBytes_RefusesLargerBatchesAtOnce_AndDeletingItAcceptsThemAgain()
    {
        await using var node = await RillTestNode.StartAsync();
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);
        await ProduceFetchTests.CreateTopicAsync(client, "small");
        var large = ProduceFetchTests.Batch(50);
        var small = ProduceFetchTests.Batch(1);
        Assert.InRange(small.Length, 1, 200);
        Assert.True(large.Length > 200, $"the large batch has {large.Length} bytes");

        await AlterAsync(client, BrokerResource, ClusterDefault, validateOnly: false, ("message.max.bytes", Set, "200"));

        Assert.Equal((short)ErrorCode.MessageTooLarge, await ProduceAsync(client, "small", large));
        Assert.Equal((short)ErrorCode.None, await ProduceAsync(client, "small", small));
        await AlterAsync(client, BrokerResource, ClusterDefault, validateOnly: false, ("message.max.bytes", Delete, null));
        Assert.Equal((short)ErrorCode.None, await ProduceAsync(client, "small", large));
    }

    [Fact]
    public async Task LogAppendTimeAsTheClusterDefault_StampsBatchesOfTopicsWithoutAnOverride()
    {
        await using var node = await RillTestNode.StartAsync();
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);
        await ProduceFetchTests.CreateTopicAsync(client, "stamped");

        await AlterAsync(client, BrokerResource, ClusterDefault, validateOnly: false, ("log.message.timestamp.type", Set, "LogAppendTime"));

        var produced = await client.RoundTripAsync<ProduceResponse>(ApiKey.Produce, 9, ProduceFetchTests.ProduceTo("stamped", 0, ProduceFetchTests.Batch(1, timestamp: 7)));
        var partition = produced.Responses[0].PartitionResponses[0];
        Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
        Assert.True(partition.LogAppendTimeMs > 7, $"LogAppendTime should be the broker's clock, was {partition.LogAppendTimeMs}");
    }

    [Fact]
    public async Task Append_ToLogCleanupPolicy_StartsFromTheStaticValue()
    {
        await using var node = await RillTestNode.StartAsync("log.cleanup.policy=compact");
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);

        var appended = await AlterAsync(client, BrokerResource, ClusterDefault, validateOnly: false, ("log.cleanup.policy", Append, "delete"));

        Assert.Equal((short)ErrorCode.None, appended.ErrorCode);
        var entry = Assert.Single((await DescribeBrokerAsync(client, ClusterDefault)).Configs);
        Assert.Equal(("log.cleanup.policy", "compact,delete"), (entry.Name, entry.Value));
    }

    [Fact]
    public async Task AlterConfigs_ReplacesTheResourcesWholeDynamicSet()
    {
        await using var node = await RillTestNode.StartAsync();
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);
        await AlterAsync(client, BrokerResource, ThisBroker, validateOnly: false, ("log.retention.ms", Set, "1000"), ("log.segment.bytes", Set, "2097152"));

        var response = await client.RoundTripAsync<AlterConfigsResponse>(ApiKey.AlterConfigs, 2, new AlterConfigsRequest
        {
            Resources =
            [
                new AlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = BrokerResource,
                    ResourceName = ThisBroker,
                    Configs = [new AlterConfigsRequest.AlterableConfig { Name = "log.retention.bytes", Value = "1048576" }],
                },
            ],
        });

        Assert.Equal((short)ErrorCode.None, Assert.Single(response.Responses).ErrorCode);
        var configs = node.Node.Metadata.Image.ConfigsOf(Rill.Metadata.ConfigResourceType.Broker, ThisBroker);
        Assert.Equal([new KeyValuePair<string, string>("log.retention.bytes", "1048576")], configs);
        var broker = await DescribeBrokerAsync(client, ThisBroker);
        Assert.Equal(("1048576", (sbyte)ConfigSource.DynamicBrokerConfig), Summary(broker.Configs.Single(c => c.Name == "log.retention.bytes")));
        Assert.Equal((null, (sbyte)ConfigSource.DefaultConfig), Summary(broker.Configs.Single(c => c.Name == "log.retention.ms")));
    }

    [Fact]
    public async Task AlterConfigs_WithAReadOnlyKey_IsRefusedAndKeepsTheSet()
    {
        await using var node = await RillTestNode.StartAsync();
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);
        await AlterAsync(client, BrokerResource, ClusterDefault, validateOnly: false, ("log.retention.ms", Set, "1000"));

        var response = await client.RoundTripAsync<AlterConfigsResponse>(ApiKey.AlterConfigs, 2, new AlterConfigsRequest
        {
            Resources =
            [
                new AlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = BrokerResource,
                    ResourceName = ClusterDefault,
                    Configs =
                    [
                        new AlterConfigsRequest.AlterableConfig { Name = "log.segment.bytes", Value = "2097152" },
                        new AlterConfigsRequest.AlterableConfig { Name = "log.dirs", Value = "/elsewhere" },
                        new AlterConfigsRequest.AlterableConfig { Name = "num.partitions", Value = "3" },
                    ],
                },
            ],
        });

        var result = Assert.Single(response.Responses);
        Assert.Equal(
            ((short)ErrorCode.InvalidRequest, "Cannot update these configs dynamically: Set(log.dirs, num.partitions)"),
            (result.ErrorCode, result.ErrorMessage));
        Assert.Equal(
            [new KeyValuePair<string, string>("log.retention.ms", "1000")],
            node.Node.Metadata.Image.ConfigsOf(Rill.Metadata.ConfigResourceType.Broker, ClusterDefault));
    }

    [Fact]
    public async Task DescribeConfigs_OnTheBroker_ShowsDynamicValuesAndWhichKeysAreDynamic()
    {
        await using var node = await RillTestNode.StartAsync();
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);
        await AlterAsync(client, BrokerResource, ClusterDefault, validateOnly: false, ("log.retention.ms", Set, "3600000"), ("log.segment.bytes", Set, "2097152"));
        await AlterAsync(client, BrokerResource, ThisBroker, validateOnly: false, ("log.segment.bytes", Set, "4194304"));

        var own = await DescribeBrokerAsync(client, ThisBroker);
        var clusterDefault = await DescribeBrokerAsync(client, ClusterDefault);

        Assert.Equal((short)ErrorCode.None, own.ErrorCode);
        Assert.Equal(BrokerConfigs.All.Count, own.Configs.Count);
        var segment = own.Configs.Single(c => c.Name == "log.segment.bytes");
        Assert.Equal(("4194304", (sbyte)ConfigSource.DynamicBrokerConfig, false), (segment.Value, segment.ConfigSource, segment.ReadOnly));
        Assert.Equal(
            [
                ("log.segment.bytes", "4194304", (sbyte)ConfigSource.DynamicBrokerConfig),
                ("log.segment.bytes", "2097152", (sbyte)ConfigSource.DynamicDefaultBrokerConfig),
                ("log.segment.bytes", "1073741824", (sbyte)ConfigSource.DefaultConfig),
            ],
            Synonyms(segment));
        var partitions = own.Configs.Single(c => c.Name == "num.partitions");
        Assert.Equal(("1", (sbyte)ConfigSource.StaticBrokerConfig, true), (partitions.Value, partitions.ConfigSource, partitions.ReadOnly));
        Assert.Equal(
            [("log.segment.bytes", "2097152"), ("log.retention.ms", "3600000")],
            clusterDefault.Configs.Select(c => (c.Name, c.Value)));
        Assert.All(clusterDefault.Configs, c => Assert.Equal((sbyte)ConfigSource.DynamicDefaultBrokerConfig, c.ConfigSource));
    }

    [Theory]
    [InlineData(BrokerResource, "7", "Unexpected broker id, expected 1 or empty string, but received 7")]
    [InlineData(BrokerResource, "one", "Broker id must be an integer, but it is: one")]
    [InlineData(BrokerLoggerResource, "7", "Unexpected broker id, expected 1, but received 7")]
    [InlineData(BrokerLoggerResource, "", "Broker id must be an integer, but it is: ")]
    public async Task DescribeConfigs_OfAnotherBroker_IsAnInvalidRequest(sbyte resourceType, string resourceName, string message)
    {
        await using var node = await RillTestNode.StartAsync();
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);

        var result = await DescribeResourceAsync(client, resourceType, resourceName);

        Assert.Equal(((short)ErrorCode.InvalidRequest, message), (result.ErrorCode, result.ErrorMessage));
        Assert.Empty(result.Configs);
    }

    [Fact]
    public async Task ADefaultThatWouldMakeATopicsConfigInvalid_IsRefusedNamingTheTopic()
    {
        await using var node = await RillTestNode.StartAsync();
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);
        await ProduceFetchTests.CreateTopicAsync(client, "lagged");
        await AlterAsync(client, TopicResource, "lagged", validateOnly: false, ("max.compaction.lag.ms", Set, "5000"));

        var response = await AlterAsync(client, BrokerResource, ClusterDefault, validateOnly: false, ("log.cleaner.min.compaction.lag.ms", Set, "10000"));

        Assert.Equal(
            ((short)ErrorCode.InvalidConfig, "Invalid configuration for topic 'lagged': min.compaction.lag.ms=10000 is invalid: must be at most max.compaction.lag.ms=5000."),
            (response.ErrorCode, response.ErrorMessage));
        Assert.Empty(node.Node.Metadata.Image.ConfigsOf(Rill.Metadata.ConfigResourceType.Broker, ClusterDefault));
    }

    private static Rill.Storage.Log LogOf(RillTestNode node, string topic)
    {
        Assert.True(node.Node.Replicas.TryGetPartition(new TopicPartition(topic, 0), out var partition));
        return partition.Log;
    }

    private static async Task<short> ProduceAsync(RawKafkaClient client, string topic, byte[] batch)
    {
        var response = await client.RoundTripAsync<ProduceResponse>(ApiKey.Produce, 9, ProduceFetchTests.ProduceTo(topic, 0, batch));
        return response.Responses[0].PartitionResponses[0].ErrorCode;
    }

    internal static async Task<IncrementalAlterConfigsResponse.AlterConfigsResourceResponse> AlterAsync(
        RawKafkaClient client,
        sbyte resourceType,
        string resourceName,
        bool validateOnly,
        params (string Name, sbyte Operation, string? Value)[] changes)
    {
        var response = await client.RoundTripAsync<IncrementalAlterConfigsResponse>(ApiKey.IncrementalAlterConfigs, 1, new IncrementalAlterConfigsRequest
        {
            Resources =
            [
                new IncrementalAlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = resourceType,
                    ResourceName = resourceName,
                    Configs = [.. changes.Select(c => new IncrementalAlterConfigsRequest.AlterableConfig { Name = c.Name, ConfigOperation = c.Operation, Value = c.Value })],
                },
            ],
            ValidateOnly = validateOnly,
        });
        return Assert.Single(response.Responses);
    }

    private static async Task<DescribeConfigsResponse.DescribeConfigsResourceResult> DescribeAsync(RawKafkaClient client, sbyte resourceType, string resourceName, string key)
    {
        var response = await client.RoundTripAsync<DescribeConfigsResponse>(ApiKey.DescribeConfigs, 4, new DescribeConfigsRequest
        {
            Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = resourceType, ResourceName = resourceName, ConfigurationKeys = [key] }],
            IncludeSynonyms = true,
        });
        var result = Assert.Single(response.Results);
        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        return Assert.Single(result.Configs);
    }

    private static async Task<DescribeConfigsResponse.DescribeConfigsResult> DescribeBrokerAsync(RawKafkaClient client, string resourceName)
    {
        var result = await DescribeResourceAsync(client, BrokerResource, resourceName);
        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        return result;
    }

    internal static async Task<DescribeConfigsResponse.DescribeConfigsResult> DescribeResourceAsync(RawKafkaClient client, sbyte resourceType, string resourceName)
    {
        var response = await client.RoundTripAsync<DescribeConfigsResponse>(ApiKey.DescribeConfigs, 4, new DescribeConfigsRequest
        {
            Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = resourceType, ResourceName = resourceName, ConfigurationKeys = null }],
            IncludeSynonyms = true,
        });
        return Assert.Single(response.Results);
    }

    private static (string? Value, sbyte Source) Summary(DescribeConfigsResponse.DescribeConfigsResourceResult entry) => (entry.Value, entry.ConfigSource);

    private static List<(string Name, string? Value, sbyte Source)> Synonyms(DescribeConfigsResponse.DescribeConfigsResourceResult entry) =>
        [.. entry.Synonyms.Select(s => (s.Name, s.Value, s.Source))];
}
