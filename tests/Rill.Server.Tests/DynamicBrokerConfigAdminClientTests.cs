using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Rill.TestKit;

namespace Rill.Server.Tests;

/// <summary>Dynamic broker configs through Confluent.Kafka's AdminClient, as operators' tools reach them.</summary>
public sealed class DynamicBrokerConfigAdminClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task IncrementalAlterConfigs_OnTheBroker_IsDescribedWithItsDynamicSource_AndReadOnlyKeysAreRefused()
    {
        await using var node = await RillTestNode.StartAsync();
        using var admin = KafkaClients.Admin(node.BootstrapServers);
        var thisBroker = new ConfigResource { Type = ResourceType.Broker, Name = "1" };

        // Confluent.Kafka refuses a resource without a name, so the cluster default ("") is out of its reach.
        await admin.IncrementalAlterConfigsAsync(
            new Dictionary<ConfigResource, List<ConfigEntry>>
            {
                [thisBroker] =
                [
                    new ConfigEntry { Name = "log.retention.ms", Value = "3600000", IncrementalOperation = AlterConfigOpType.Set },
                    new ConfigEntry { Name = "log.cleanup.policy", Value = "compact", IncrementalOperation = AlterConfigOpType.Append },
                ],
            },
            new IncrementalAlterConfigsOptions { RequestTimeout = Timeout });
        var described = await admin.DescribeConfigsAsync([thisBroker], new DescribeConfigsOptions { RequestTimeout = Timeout });

        var entries = Assert.Single(described).Entries;
        var retention = entries["log.retention.ms"];
        Assert.Equal(("3600000", ConfigSource.DynamicBrokerConfig, false), (retention.Value, retention.Source, retention.IsReadOnly));
        var policy = entries["log.cleanup.policy"];
        Assert.Equal(("delete,compact", ConfigSource.DynamicBrokerConfig, false), (policy.Value, policy.Source, policy.IsReadOnly));
        Assert.True(entries["num.partitions"].IsReadOnly);

        var refused = await Assert.ThrowsAsync<IncrementalAlterConfigsException>(() => admin.IncrementalAlterConfigsAsync(
            new Dictionary<ConfigResource, List<ConfigEntry>>
            {
                [thisBroker] = [new ConfigEntry { Name = "num.partitions", Value = "4", IncrementalOperation = AlterConfigOpType.Set }],
            },
            new IncrementalAlterConfigsOptions { RequestTimeout = Timeout }));
        var error = Assert.Single(refused.Results).Error;
        Assert.Equal((ErrorCode.InvalidRequest, "Cannot update these configs dynamically: Set(num.partitions)"), (error.Code, error.Reason));
    }
}
