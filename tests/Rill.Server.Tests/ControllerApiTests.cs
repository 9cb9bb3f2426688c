using Rill.Common;
using Rill.Protocol.Messages;
using Rill.TestKit;

namespace Rill.Server.Tests;

/// <summary>
/// The controller's cluster decisions seen from a single node's Kafka listener: the broker's own registration, and
/// ElectLeaders, AlterPartitionReassignments and ListPartitionReassignments at the byte level.
/// </summary>
public sealed class ControllerApiTests
{
    [Fact]
    public async Task TheBroker_StartsUnfenced_WithItsRack_AndAfterARestartLeadsItsPartitionsAgain()
    {
        await using var node = await RillTestNode.StartAsync("broker.rack=rack-1");
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);
        var metadata = await client.RoundTripAsync<MetadataResponse>(ApiKey.Metadata, 12, new MetadataRequest { Topics = [] });
        var broker = Assert.Single(metadata.Brokers);
        Assert.Equal((1, "rack-1"), (broker.NodeId, broker.Rack));

        var registration = node.Node.Metadata.Image.Brokers[1];
        Assert.Equal((false, false, "rack-1"), (registration.Fenced, registration.InControlledShutdown, registration.Rack));
        Assert.Equal(BrokerLifecycleState.Running, node.Node.Lifecycle.State);
        Assert.Equal(registration.BrokerEpoch, node.Node.Lifecycle.BrokerEpoch);
        await ProduceFetchTests.CreateTopicAsync(client, "kept");

        // The stop moved the leadership away (controlled shutdown) and the start brought it back with a new epoch.
        await node.RestartAsync();
        var restarted = node.Node.Metadata.Image;
        Assert.True(restarted.Brokers[1].BrokerEpoch > registration.BrokerEpoch);
        Assert.False(restarted.Brokers[1].Fenced);
        var partition = restarted.Topics["kept"].Partitions[0];
        Assert.Equal((1, 2), (partition.Leader, partition.LeaderEpoch));
        Assert.Equal([1], partition.Isr);
    }

    [Fact]
    public async Task ElectLeaders_OnASingleNode_NeedsNoElection_AndNamesUnknownPartitions()
    {
        await using var node = await RillTestNode.StartAsync();
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);
        await ProduceFetchTests.CreateTopicAsync(client, "el");
        static ElectLeadersRequest Request(sbyte type) => new()
        {
            ElectionType = type,
            TopicPartitions = [new ElectLeadersRequest.TopicPartitionsData { Topic = "el", Partitions = [0, 5] }],
            TimeoutMs = 5000,
        };

        foreach (var (version, type) in new (short, sbyte)[] { (2, 0), (2, 1), (1, 0), (0, 0) })
        {
            var response = await client.RoundTripAsync<ElectLeadersResponse>(ApiKey.ElectLeaders, version, Request(type));
            Assert.Equal((short)ErrorCode.None, response.ErrorCode);
            var results = Assert.Single(response.ReplicaElectionResults);
            Assert.Equal("el", results.Topic);
            Assert.Equal(
                [(0, (short)ErrorCode.ElectionNotNeeded, "Leader election not needed for topic partition."), (5, (short)ErrorCode.UnknownTopicOrPartition, "No such partition as el-5")],
                results.PartitionResult.Select(p => (p.PartitionId, p.ErrorCode, p.ErrorMessage)));
        }

        var all = await client.RoundTripAsync<ElectLeadersResponse>(ApiKey.ElectLeaders, 2, new ElectLeadersRequest { ElectionType = 0, TopicPartitions = null });
        Assert.Equal(["el"], all.ReplicaElectionResults.Select(r => r.Topic));
        Assert.Empty(all.ReplicaElectionResults[0].PartitionResult);
        Assert.Equal((1, 0), (node.Node.Metadata.Image.Topics["el"].Partitions[0].Leader, node.Node.Metadata.Image.Topics["el"].Partitions[0].LeaderEpoch));
    }

    [Fact]
    public async Task Reassignments_OnASingleNode_AreRefusedOrNeedNothing_AndNoneIsListed()
    {
        await using var node = await RillTestNode.StartAsync();
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);
        await ProduceFetchTests.CreateTopicAsync(client, "ra", partitions: 2);
        var response = await client.RoundTripAsync<AlterPartitionReassignmentsResponse>(ApiKey.AlterPartitionReassignments, 0, new AlterPartitionReassignmentsRequest
        {
            TimeoutMs = 5000,
            Topics =
            [
                new AlterPartitionReassignmentsRequest.ReassignableTopic
                {
                    Name = "ra",
                    Partitions =
                    [
                        new AlterPartitionReassignmentsRequest.ReassignablePartition { PartitionIndex = 0, Replicas = [1] },
                        new AlterPartitionReassignmentsRequest.ReassignablePartition { PartitionIndex = 1, Replicas = [2] },
                        new AlterPartitionReassignmentsRequest.ReassignablePartition { PartitionIndex = 1, Replicas = null },
                        new AlterPartitionReassignmentsRequest.ReassignablePartition { PartitionIndex = 4, Replicas = [1] },
                    ],
                },
                new AlterPartitionReassignmentsRequest.ReassignableTopic
                {
                    Name = "missing",
                    Partitions = [new AlterPartitionReassignmentsRequest.ReassignablePartition { PartitionIndex = 0, Replicas = [1] }],
                },
            ],
        });

        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.Equal(
            [
                ("ra", 0, (short)ErrorCode.None, (string?)null),
                ("ra", 1, (short)ErrorCode.InvalidReplicaAssignment, "The manual partition assignment includes broker 2, but no such broker is registered."),
                ("ra", 1, (short)ErrorCode.NoReassignmentInProgress, "No partition reassignment is in progress."),
                ("ra", 4, (short)ErrorCode.UnknownTopicOrPartition, "Unable to find partition ra:4."),
                ("missing", 0, (short)ErrorCode.UnknownTopicOrPartition, "Unable to find a topic named missing."),
            ],
            response.Responses.SelectMany(t => t.Partitions.Select(p => (t.Name, p.PartitionIndex, p.ErrorCode, p.ErrorMessage))));

        foreach (var topics in new List<ListPartitionReassignmentsRequest.ListPartitionReassignmentsTopics>?[]
        {
            null,
            [new ListPartitionReassignmentsRequest.ListPartitionReassignmentsTopics { Name = "ra", PartitionIndexes = [0, 1] }],
        })
        {
            var listed = await client.RoundTripAsync<ListPartitionReassignmentsResponse>(
                ApiKey.ListPartitionReassignments, 0, new ListPartitionReassignmentsRequest { TimeoutMs = 5000, Topics = topics });
            Assert.Equal((short)ErrorCode.None, listed.ErrorCode);
            Assert.Empty(listed.Topics);
        }

        Assert.Equal([1], node.Node.Metadata.Image.Topics["ra"].Partitions[1].Replicas);
    }
}
