using Rill.Common;
using Rill.Protocol.Messages;

namespace Rill.Metadata.Tests;

/// <summary>AlterPartition from partition leaders: every refusal with Kafka's code, and an accepted change answered with the new state.</summary>
public sealed class AlterPartitionTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rill-metadata-tests", Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task TheLeader_ShrinksAndGrowsTheIsr_AndIsAnsweredWithTheNewState()
    {
        using var node = Node.OpenCluster(_dir, brokers: 3);
        await node.CreateAssignedTopicAsync("t", [1, 2, 3]);

        var shrunk = await AlterAsync(node, 1, "t", [1, 2]);
        Assert.Equal((short)ErrorCode.None, shrunk.ErrorCode);
        var partition = Assert.Single(Assert.Single(shrunk.Topics).Partitions);
        Assert.Equal(((short)0, 1, 0, 1), (partition.ErrorCode, partition.LeaderId, partition.LeaderEpoch, partition.PartitionEpoch));
        Assert.Equal([1, 2], partition.Isr);
        Assert.Equal([1, 2], node.Partition("t", 0).Isr);
        Assert.Equal((0, 1), (node.Partition("t", 0).LeaderEpoch, node.Partition("t", 0).PartitionEpoch));

        var grown = Single(await AlterAsync(node, 1, "t", [1, 2, 3], partitionEpoch: 1));
        Assert.Equal(((short)0, 2), (grown.ErrorCode, grown.PartitionEpoch));
        Assert.Equal([1, 2, 3], node.Partition("t", 0).Isr);
    }

    [Fact]
    public async Task EachStaleOrInvalidRequest_IsRefusedWithKafkasCode_AndChangesNothing()
    {
        using var node = Node.OpenCluster(_dir, brokers: 3);
        var topicId = (await node.CreateAssignedTopicAsync("t", [1, 2, 3])).TopicId;
        var offset = node.Image.Offset;

        Assert.Equal((short)ErrorCode.StaleBrokerEpoch, (await AlterAsync(node, 1, "t", [1, 2], brokerEpoch: 999)).ErrorCode);
        Assert.Equal(ErrorCode.NotLeaderOrFollower, Code(await AlterAsync(node, 2, "t", [1, 2])));
        Assert.Equal(ErrorCode.FencedLeaderEpoch, Code(await AlterAsync(node, 1, "t", [1, 2], leaderEpoch: -1)));
        Assert.Equal(ErrorCode.NotController, Code(await AlterAsync(node, 1, "t", [1, 2], leaderEpoch: 1)));
        Assert.Equal(ErrorCode.InvalidRequest, Code(await AlterAsync(node, 1, "t", [2, 3])));
        Assert.Equal(ErrorCode.InvalidRequest, Code(await AlterAsync(node, 1, "t", [1, 4])));
        Assert.Equal(ErrorCode.IneligibleReplica, Code(await AlterAsync(node, 1, "t", [1, 2], memberEpoch: 999)));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, Code(await AlterAsync(node, 1, "t", [1, 2], partition: 5)));
        Assert.Equal(offset, node.Image.Offset);

        var unknown = await node.Controller.AlterPartitionAsync(Request(node, 1, Uuid.NewRandom(), 0, [1], 0, 0), CancellationToken.None);
        Assert.Equal(ErrorCode.UnknownTopicId, Code(unknown.Response));

        // Acting on a partition epoch that has moved on.
        Assert.Equal(ErrorCode.None, Code(await AlterAsync(node, 1, "t", [1, 2])));
        Assert.Equal(ErrorCode.InvalidUpdateVersion, Code(await AlterAsync(node, 1, "t", [1, 2, 3], partitionEpoch: 0)));
        Assert.Equal(topicId, node.Image.Topics["t"].Id);
    }

    [Fact]
    public async Task AFencedOrShuttingDownBroker_CannotJoinTheIsr()
    {
        using var node = Node.OpenCluster(_dir, brokers: 3);
        await node.CreateAssignedTopicAsync("t", [1, 2, 3]);
        await node.CreateAssignedTopicAsync("led-by-2", [2, 1]);
        await node.AdvanceAsync(TimeSpan.FromSeconds(10), silent: 3);
        Assert.Equal([3], await node.Controller.FenceStaleBrokersAsync(CancellationToken.None));
        Assert.Equal([1, 2], node.Partition("t", 0).Isr);

        Assert.Equal(ErrorCode.IneligibleReplica, Code(await AlterAsync(node, 1, "t", [1, 2, 3], partitionEpoch: 1)));

        await node.HeartbeatAsync(2, wantShutDown: true);
        Assert.True(node.Image.Brokers[2].InControlledShutdown);
        Assert.Equal([1], node.Partition("t", 0).Isr);
        Assert.Equal(ErrorCode.IneligibleReplica, Code(await AlterAsync(node, 1, "t", [1, 2], partitionEpoch: 2)));
    }

    internal static Task<AlterPartitionResponse> AlterAsync(
        Node node,
        int brokerId,
        string topic,
        int[] isr,
        int partition = 0,
        int leaderEpoch = 0,
        int partitionEpoch = 0,
        long? brokerEpoch = null,
        long? memberEpoch = null) =>
        AlterWithAsync(node, Request(node, brokerId, node.Image.Topics[topic].Id, partition, isr, leaderEpoch, partitionEpoch, brokerEpoch, memberEpoch));

    private static async Task<AlterPartitionResponse> AlterWithAsync(Node node, AlterPartitionRequest request) =>
        (await node.Controller.AlterPartitionAsync(request, CancellationToken.None)).Response;

    private static AlterPartitionRequest Request(
        Node node,
        int brokerId,
        Uuid topicId,
        int partition,
        int[] isr,
        int leaderEpoch,
        int partitionEpoch,
        long? brokerEpoch = null,
        long? memberEpoch = null)
    {
        var data = new AlterPartitionRequest.PartitionData { PartitionIndex = partition, LeaderEpoch = leaderEpoch, PartitionEpoch = partitionEpoch };
        data.NewIsrWithEpochs.AddRange(isr.Select(member => new AlterPartitionRequest.BrokerState
        {
            BrokerId = member,
            BrokerEpoch = memberEpoch ?? node.Epochs.GetValueOrDefault(member, -1),
        }));
        return new AlterPartitionRequest
        {
            BrokerId = brokerId,
            BrokerEpoch = brokerEpoch ?? node.Epochs[brokerId],
            Topics = [new AlterPartitionRequest.TopicData { TopicId = topicId, Partitions = [data] }],
        };
    }

    private static AlterPartitionResponse.PartitionData Single(AlterPartitionResponse response) =>
        Assert.Single(Assert.Single(response.Topics).Partitions);

    private static ErrorCode Code(AlterPartitionResponse response)
    {
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        return (ErrorCode)Single(response).ErrorCode;
    }
}
