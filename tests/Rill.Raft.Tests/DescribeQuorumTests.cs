using System.Collections.Immutable;
using Rill.Common;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Raft.Tests;

public sealed class DescribeQuorumTests
{
    private static readonly int[] ThreeVoters = [1, 2, 3];

    [Fact]
    public void DescribeQuorum_OnTheLeader_ReportsEveryVoterAndObserverAsKafkaDoes()
    {
        using var node = Leader();
        var wallNow = node.Time.GetUtcNow().ToUnixTimeMilliseconds();
        node.Request(RaftMessages.Fetch(2, 1, 2, 1));
        node.Advance(100);
        node.Request(RaftMessages.Fetch(9, 1, 1, 1));

        var description = node.Client.DescribeQuorum();

        Assert.Equal((1, 1, 1, 2L, true), (description.NodeId, description.LeaderId, description.Epoch, description.HighWatermark, description.IsFromLeader));
        Assert.Equal(
            [
                new ReplicaDescription(1, 2, wallNow + 100, wallNow + 100),
                new ReplicaDescription(2, 2, wallNow, wallNow),
                new ReplicaDescription(3, -1, -1, -1),
            ],
            description.Voters);
        Assert.Equal([new ReplicaDescription(9, 1, wallNow + 100, -1)], description.Observers);
    }

    [Fact]
    public void DescribeQuorum_OnAFollower_KnowsOnlyTheLeaderAndItself()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        node.Request(RaftMessages.BeginQuorumEpoch(leaderId: 2, epoch: 3));

        var description = node.Client.DescribeQuorum();

        Assert.Equal((2, 3, -1L, false), (description.LeaderId, description.Epoch, description.HighWatermark, description.IsFromLeader));
        Assert.Equal([new ReplicaDescription(1, 0, -1, -1), new ReplicaDescription(2, -1, -1, -1), new ReplicaDescription(3, -1, -1, -1)],
            description.Voters);
        Assert.Empty(description.Observers);
    }

    [Fact]
    public void DescribeQuorumRequest_OnTheLeader_AnswersWithVotersObserversAndTheirListenersAtV2()
    {
        using var node = Leader(static config => config with
        {
            VoterEndpoints = ImmutableDictionary<int, RaftEndpoint>.Empty
                .Add(1, new RaftEndpoint("CONTROLLER", "host-1", 9093))
                .Add(2, new RaftEndpoint("CONTROLLER", "host-2", 9093))
                .Add(3, new RaftEndpoint("CONTROLLER", "host-3", 9093)),
        });
        node.Request(RaftMessages.Fetch(2, 1, 2, 1));

        var response = node.Request<DescribeQuorumResponse>(DescribeRequest(MetadataTopicPartition.TopicName, 0));
        var parsed = KafkaMessage.Deserialize<DescribeQuorumResponse>(
            KafkaMessage.Serialize(response, DescribeQuorumResponse.HighestSupportedVersion), DescribeQuorumResponse.HighestSupportedVersion);

        var partition = Assert.Single(Assert.Single(parsed.Topics).Partitions);
        Assert.Equal((ErrorCode.None, 1, 1, 2L), ((ErrorCode)partition.ErrorCode, partition.LeaderId, partition.LeaderEpoch, partition.HighWatermark));
        Assert.Equal([(1, 2L), (2, 2L), (3, -1L)], partition.CurrentVoters.Select(static v => (v.ReplicaId, v.LogEndOffset)));
        Assert.Empty(partition.Observers);
        Assert.Equal([1, 2, 3], parsed.Nodes.Select(static n => n.NodeId));
        Assert.All(parsed.Nodes, static n => Assert.Equal(("CONTROLLER", 9093), (Assert.Single(n.Listeners).Name, (int)Assert.Single(n.Listeners).Port)));
        Assert.Equal("host-2", parsed.Nodes[1].Listeners[0].Host);
    }

    [Fact]
    public void DescribeQuorumRequest_OnAFollower_IsNotLeaderOrFollowerNamingTheLeader()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        node.Request(RaftMessages.BeginQuorumEpoch(leaderId: 2, epoch: 3));

        var response = node.Request<DescribeQuorumResponse>(DescribeRequest(MetadataTopicPartition.TopicName, 0));

        var partition = Assert.Single(Assert.Single(response.Topics).Partitions);
        Assert.Equal((ErrorCode.NotLeaderOrFollower, 2, 3), ((ErrorCode)partition.ErrorCode, partition.LeaderId, partition.LeaderEpoch));
        Assert.NotNull(partition.ErrorMessage);
    }

    [Fact]
    public void DescribeQuorumRequest_OtherPartition_IsUnknownTopicOrPartition()
    {
        using var node = Leader();

        var response = node.Request<DescribeQuorumResponse>(DescribeRequest("orders", 0));

        var partition = Assert.Single(Assert.Single(response.Topics).Partitions);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (ErrorCode)partition.ErrorCode);
        Assert.Equal("orders", Assert.Single(response.Topics).TopicName);
    }

    private static RaftNodeFixture Leader(Func<RaftConfig, RaftConfig>? configure = null)
    {
        var node = new RaftNodeFixture(1, ThreeVoters, configure);
        node.Start();
        ElectionHelpers.ElectNodeOne(node);
        node.Client.ScheduleAtomicAppend(1, RaftMessages.Records("a"));
        node.Poll();
        return node;
    }

    private static DescribeQuorumRequest DescribeRequest(string topic, int partition) => new()
    {
        Topics = [new DescribeQuorumRequest.TopicData { TopicName = topic, Partitions = [new DescribeQuorumRequest.PartitionData { PartitionIndex = partition }] }],
    };
}
