using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Rill.TestKit;

namespace Rill.Server.Tests;

/// <summary>
/// Confluent.Kafka's AdminClient as a new user tries it: describe the cluster and topics on nodes with id 0 and 1 (0 is
/// a valid broker and controller id, as in Kafka's own examples), create topics with explicit replica assignments.
/// </summary>
public sealed class AdminClientControllerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task DescribeClusterAndDescribeTopics_AnswerWithThisNodeAsController(int nodeId)
    {
        await using var node = await RillTestNode.StartAsync($"node.id={nodeId}");
        using (var creator = KafkaClients.Admin(node.BootstrapServers))
        {
            await creator.CreateTopicsAsync([new TopicSpecification { Name = "described", NumPartitions = 2, ReplicationFactor = 1 }]);
        }

        // Fresh clients whose first request is the describe, as a new user's script would be.
        using (var first = KafkaClients.Admin(node.BootstrapServers))
        {
            var described = await first.DescribeTopicsAsync(TopicCollection.OfTopicNames(["described"]), new DescribeTopicsOptions { RequestTimeout = Timeout, IncludeAuthorizedOperations = true });
            Assert.Equal(ErrorCode.NoError, Assert.Single(described.TopicDescriptions).Error.Code);
        }

        using var admin = KafkaClients.Admin(node.BootstrapServers);
        var cluster = await admin.DescribeClusterAsync(new DescribeClusterOptions { RequestTimeout = Timeout, IncludeAuthorizedOperations = true });
        Assert.Equal(nodeId, cluster.Controller.Id);
        Assert.Equal([nodeId], cluster.Nodes.Select(n => n.Id));

        var topics = await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames(["described"]), new DescribeTopicsOptions { RequestTimeout = Timeout, IncludeAuthorizedOperations = true });
        var topic = Assert.Single(topics.TopicDescriptions);
        Assert.Equal(ErrorCode.NoError, topic.Error.Code);
        Assert.Equal([0, 1], topic.Partitions.Select(p => p.Partition));
        Assert.All(topic.Partitions, p => Assert.Equal(nodeId, p.Leader.Id));
    }

    [Fact]
    public async Task IncrementalAlterConfigs_AppendOrSubtractOnAConfigThatIsNotAList_IsInvalidConfigInKafkasWords()
    {
        await using var node = await RillTestNode.StartAsync();
        using var admin = KafkaClients.Admin(node.BootstrapServers);
        await admin.CreateTopicsAsync([new TopicSpecification { Name = "not-a-list", NumPartitions = 1, ReplicationFactor = 1 }]);
        var topic = new ConfigResource { Type = ResourceType.Topic, Name = "not-a-list" };

        async Task<Error> AlterAsync(AlterConfigOpType operation)
        {
            var refused = await Assert.ThrowsAsync<IncrementalAlterConfigsException>(() => admin.IncrementalAlterConfigsAsync(
                new Dictionary<ConfigResource, List<ConfigEntry>>
                {
                    [topic] = [new ConfigEntry { Name = "retention.ms", Value = "1000", IncrementalOperation = operation }],
                },
                new IncrementalAlterConfigsOptions { RequestTimeout = Timeout }));
            return Assert.Single(refused.Results).Error;
        }

        var append = await AlterAsync(AlterConfigOpType.Append);
        Assert.Equal((ErrorCode.InvalidConfig, "Config value append is not allowed for config key: retention.ms"), (append.Code, append.Reason));
        var subtract = await AlterAsync(AlterConfigOpType.Subtract);
        Assert.Equal((ErrorCode.InvalidConfig, "Config value subtract is not allowed for config key: retention.ms"), (subtract.Code, subtract.Reason));
        Assert.Empty(node.Node.Metadata.Image.ConfigsOf(Rill.Metadata.ConfigResourceType.Topic, "not-a-list"));
    }
}
