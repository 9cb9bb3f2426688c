using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Rill.Protocol.Messages;
using Rill.TestKit;
using ErrorCode = Rill.Common.ErrorCode;

namespace Rill.Server.Tests;

/// <summary>
/// Explicit replica assignments in CreateTopics and CreatePartitions, checked with Kafka's rules and messages
/// (librdkafka's test 0081 sends them), and the broker's partition-replica limit, which refuses up front what the node
/// could not hold open.
/// </summary>
public sealed class TopicPlacementTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task CreateTopics_WithAssignments_IsAcceptedOrRefusedAsKafkaDoes()
    {
        await using var node = await RillTestNode.StartAsync();
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);
        static CreateTopicsRequest.CreatableTopic Topic(string name, int partitions, short factor, params int[][] assignments) => new()
        {
            Name = name,
            NumPartitions = partitions,
            ReplicationFactor = factor,
            Assignments = [.. assignments.Select((brokers, i) => new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = i, BrokerIds = [.. brokers] })],
        };
        var gap = Topic("as-gap", -1, -1, [1], [1]);
        gap.Assignments[1].PartitionIndex = 2;
        var twice = Topic("as-twice", -1, -1, [1], [1]);
        twice.Assignments[1].PartitionIndex = 0;

        var response = await client.RoundTripAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, new CreateTopicsRequest
        {
            Topics =
            [
                Topic("as-good", -1, -1, [1], [1], [1]),
                Topic("as-factor", -1, 1, [1]),
                Topic("as-count", 1, -1, [1]),
                Topic("as-unknown", -1, -1, [7]),
                Topic("as-duplicate", -1, -1, [1, 1]),
                Topic("as-uneven", -1, -1, [1], []),
                gap,
                twice,
            ],
            TimeoutMs = 5000,
        });

        var results = response.Topics.ToDictionary(t => t.Name, t => ((ErrorCode)t.ErrorCode, t.ErrorMessage));
        Assert.Equal(ErrorCode.None, results["as-good"].Item1);
        Assert.Equal(
            (ErrorCode.InvalidRequest, "A manual partition assignment was specified, but replication factor was not set to -1."),
            results["as-factor"]);
        Assert.Equal(
            (ErrorCode.InvalidRequest, "A manual partition assignment was specified, but numPartitions was not set to -1."),
            results["as-count"]);
        Assert.Equal(
            (ErrorCode.InvalidReplicaAssignment, "The manual partition assignment includes broker 7, but no such broker is registered."),
            results["as-unknown"]);
        Assert.Equal(
            (ErrorCode.InvalidReplicaAssignment, "The manual partition assignment includes the broker 1 more than once."),
            results["as-duplicate"]);
        Assert.Equal((ErrorCode.InvalidReplicaAssignment, "The manual partition assignment includes an empty replica list."), results["as-uneven"]);
        Assert.Equal((ErrorCode.InvalidReplicaAssignment, "partitions should be a consecutive 0-based integer sequence"), results["as-gap"]);
        Assert.Equal((ErrorCode.InvalidReplicaAssignment, "Found multiple manual partition assignments for partition 0"), results["as-twice"]);
        var good = response.Topics.Single(t => t.Name == "as-good");
        Assert.Equal((3, (short)1), (good.NumPartitions, good.ReplicationFactor));
        Assert.Equal(["as-good"], node.Node.Metadata.Image.Topics.Keys.Where(k => k.StartsWith("as-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task CreatePartitions_WithAssignments_IsAcceptedOrRefusedAsKafkaDoes()
    {
        await using var node = await RillTestNode.StartAsync();
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);
        await ProduceFetchTests.CreateTopicAsync(client, "cp-grow");
        static CreatePartitionsRequest.CreatePartitionsTopic Grow(int count, params int[][] assignments) => new()
        {
            Name = "cp-grow",
            Count = count,
            Assignments = [.. assignments.Select(brokers => new CreatePartitionsRequest.CreatePartitionsAssignment { BrokerIds = [.. brokers] })],
        };

        async Task<(ErrorCode, string?)> CreatePartitionsAsync(CreatePartitionsRequest.CreatePartitionsTopic topic)
        {
            var response = await client.RoundTripAsync<CreatePartitionsResponse>(ApiKey.CreatePartitions, 3, new CreatePartitionsRequest { Topics = [topic], TimeoutMs = 5000 });
            return ((ErrorCode)response.Results[0].ErrorCode, response.Results[0].ErrorMessage);
        }

        Assert.Equal(
            (ErrorCode.InvalidReplicaAssignment, "Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified."),
            await CreatePartitionsAsync(Grow(3, [1])));
        Assert.Equal(
            (ErrorCode.InvalidReplicaAssignment, "The manual partition assignment includes the broker 1 more than once."),
            await CreatePartitionsAsync(Grow(2, [1, 1])));
        Assert.Equal(
            (ErrorCode.InvalidReplicaAssignment, "The manual partition assignment includes broker 5, but no such broker is registered."),
            await CreatePartitionsAsync(Grow(2, [5])));
        Assert.Equal(ErrorCode.None, (await CreatePartitionsAsync(Grow(3, [1], [1]))).Item1);
        Assert.Equal(3, node.Node.Metadata.Image.Topics["cp-grow"].Partitions.Length);
    }

    [Fact]
    public async Task AdminClient_CreatesATopicWithReplicasAssignments()
    {
        await using var node = await RillTestNode.StartAsync();
        using var admin = KafkaClients.Admin(node.BootstrapServers);

        // librdkafka wants the partition count next to an assignment; on the wire it sends -1 for both, as Kafka requires.
        await admin.CreateTopicsAsync(
            [new TopicSpecification { Name = "assigned", NumPartitions = 2, ReplicationFactor = -1, ReplicasAssignments = new Dictionary<int, List<int>> { [0] = [1], [1] = [1] } }],
            new CreateTopicsOptions { RequestTimeout = Timeout });
        var refused = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync(
            [new TopicSpecification { Name = "unassignable", NumPartitions = 1, ReplicationFactor = -1, ReplicasAssignments = new Dictionary<int, List<int>> { [0] = [1, 9] } }],
            new CreateTopicsOptions { RequestTimeout = Timeout }));

        Assert.Equal(2, node.Node.Metadata.Image.Topics["assigned"].Partitions.Length);
        var error = Assert.Single(refused.Results).Error;
        Assert.Equal(
            (Confluent.Kafka.ErrorCode.InvalidReplicaAssignment, "The manual partition assignment includes broker 9, but no such broker is registered."),
            (error.Code, error.Reason));
    }

    [Fact]
    public async Task APartitionReplicaLimit_RefusesCreateTopicsCreatePartitionsAndAutoCreation_WithPolicyViolation()
    {
        await using var node = await RillTestNode.StartAsync("max.partition.replicas.per.broker=5");
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);
        var create = await client.RoundTripAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, new CreateTopicsRequest
        {
            Topics =
            [
                new CreateTopicsRequest.CreatableTopic { Name = "lim-big", NumPartitions = 10000, ReplicationFactor = 1 },
                new CreateTopicsRequest.CreatableTopic { Name = "lim-fits", NumPartitions = 5, ReplicationFactor = 1 },
            ],
            TimeoutMs = 5000,
        });
        Assert.Equal((short)ErrorCode.PolicyViolation, create.Topics[0].ErrorCode);
        Assert.Equal(
            "The request would put 10000 partition replicas on one broker, above its limit of 5 (max.partition.replicas.per.broker).",
            create.Topics[0].ErrorMessage);
        Assert.Equal((short)ErrorCode.None, create.Topics[1].ErrorCode);

        var grow = await client.RoundTripAsync<CreatePartitionsResponse>(ApiKey.CreatePartitions, 3, new CreatePartitionsRequest
        {
            Topics = [new CreatePartitionsRequest.CreatePartitionsTopic { Name = "lim-fits", Count = 6 }],
            TimeoutMs = 5000,
        });
        Assert.Equal((short)ErrorCode.PolicyViolation, grow.Results[0].ErrorCode);
        Assert.Equal(
            "The request would put 6 partition replicas on one broker, above its limit of 5 (max.partition.replicas.per.broker).",
            grow.Results[0].ErrorMessage);

        var metadata = await client.RoundTripAsync<MetadataResponse>(ApiKey.Metadata, 12, new MetadataRequest
        {
            Topics = [new MetadataRequest.MetadataRequestTopic { Name = "lim-auto" }],
            AllowAutoTopicCreation = true,
        });
        Assert.Equal((short)ErrorCode.PolicyViolation, metadata.Topics[0].ErrorCode);
        Assert.Equal(["lim-fits"], node.Node.Metadata.Image.Topics.Keys);
        Assert.Equal(5, node.Node.Metadata.Image.Topics["lim-fits"].Partitions.Length);
    }
}
