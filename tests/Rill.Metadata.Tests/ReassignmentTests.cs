using Rill.Common;
using Rill.Protocol.Messages;

namespace Rill.Metadata.Tests;

/// <summary>
/// AlterPartitionReassignments and ListPartitionReassignments as KRaft does them: adding and removing replicas are
/// recorded, the ISR change that takes in the new replicas completes the move, and a cancellation goes back.
/// </summary>
public sealed class ReassignmentTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rill-metadata-tests", Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task AMove_AddsTheNewReplicas_AndCompletesWhenTheyAreInTheIsr_MovingTheLeadershipOffALeavingLeader()
    {
        using var node = Node.OpenCluster(_dir, brokers: 4);
        await node.CreateAssignedTopicAsync("t", [1, 2, 3]);

        Assert.Equal([(0, ErrorCode.None, (string?)null)], Results(await ReassignAsync(node, "t", (0, [4, 2, 3]))));
        var moving = node.Partition("t", 0);
        Assert.Equal([4, 2, 3, 1], moving.Replicas);
        Assert.Equal([4], moving.AddingReplicas);
        Assert.Equal([1], moving.RemovingReplicas);
        Assert.Equal([1, 2, 3], moving.Isr);
        Assert.Equal((1, 0, 1), (moving.Leader, moving.LeaderEpoch, moving.PartitionEpoch));
        var listed = Assert.Single((await ListAsync(node, null)).Topics);
        Assert.Equal("t", listed.Name);
        var ongoing = Assert.Single(listed.Partitions);
        Assert.Equal(0, ongoing.PartitionIndex);
        Assert.Equal([4, 2, 3, 1], ongoing.Replicas);
        Assert.Equal([4], ongoing.AddingReplicas);
        Assert.Equal([1], ongoing.RemovingReplicas);

        // Broker 4 caught up: the leader takes it into the ISR, which completes the move and moves the leadership.
        var joined = await AlterPartitionTests.AlterAsync(node, 1, "t", [1, 2, 3, 4], partitionEpoch: 1);
        Assert.Equal((short)ErrorCode.NewLeaderElected, Assert.Single(Assert.Single(joined.Topics).Partitions).ErrorCode);
        var moved = node.Partition("t", 0);
        Assert.Equal([4, 2, 3], moved.Replicas);
        Assert.Equal([2, 3, 4], moved.Isr);
        Assert.Empty(moved.AddingReplicas);
        Assert.Empty(moved.RemovingReplicas);
        Assert.Equal((4, 1, 2), (moved.Leader, moved.LeaderEpoch, moved.PartitionEpoch));
        Assert.Empty((await ListAsync(node, null)).Topics);
    }

    [Fact]
    public async Task AReorderOrARemoval_CompletesAtOnce_AndAMoveThatKeepsTheLeader_StartsANewLeaderEpochWhenItCompletes()
    {
        using var node = Node.OpenCluster(_dir, brokers: 3);
        await node.CreateAssignedTopicAsync("t", [1, 2, 3], [1, 2, 3]);
        await node.CreateAssignedTopicAsync("u", [1, 2]);

        await ReassignAsync(node, "t", (0, [3, 1, 2]), (1, [1, 3]));
        var reordered = node.Partition("t", 0);
        Assert.Equal([3, 1, 2], reordered.Replicas);
        Assert.False(reordered.IsReassigning);
        Assert.Equal((1, 0), (reordered.Leader, reordered.LeaderEpoch));

        // The replicas that stay are all in the ISR already: broker 2 leaves at once, and the leader epoch moves on.
        var shrunk = node.Partition("t", 1);
        Assert.Equal([1, 3], shrunk.Replicas);
        Assert.Equal([1, 3], shrunk.Isr);
        Assert.False(shrunk.IsReassigning);
        Assert.Equal((1, 1), (shrunk.Leader, shrunk.LeaderEpoch));

        await ReassignAsync(node, "u", (0, [1, 3]));
        Assert.Equal([1, 3, 2], node.Partition("u", 0).Replicas);
        var joined = await AlterPartitionTests.AlterAsync(node, 1, "u", [1, 2, 3], partitionEpoch: 1);
        var answer = Assert.Single(Assert.Single(joined.Topics).Partitions);
        Assert.Equal(((short)ErrorCode.None, 1, 1, 2), (answer.ErrorCode, answer.LeaderId, answer.LeaderEpoch, answer.PartitionEpoch));
        Assert.Equal([1, 3], answer.Isr);
        Assert.Equal([1, 3], node.Partition("u", 0).Replicas);
        Assert.False(node.Partition("u", 0).IsReassigning);
    }

    [Fact]
    public async Task ACancellation_GoesBackToTheReplicasBefore_AndNeedsAReassignmentInProgress()
    {
        using var node = Node.OpenCluster(_dir, brokers: 4);
        await node.CreateAssignedTopicAsync("t", [1, 2]);
        await ReassignAsync(node, "t", (0, [3, 4]));
        Assert.Equal([3, 4, 1, 2], node.Partition("t", 0).Replicas);

        Assert.Equal([(0, ErrorCode.None, (string?)null)], Results(await ReassignAsync(node, "t", (0, null))));
        var reverted = node.Partition("t", 0);
        Assert.Equal([1, 2], reverted.Replicas);
        Assert.Equal([1, 2], reverted.Isr);
        Assert.False(reverted.IsReassigning);
        Assert.Equal(1, reverted.Leader);

        Assert.Equal(
            [(0, ErrorCode.NoReassignmentInProgress, "No partition reassignment is in progress.")],
            Results(await ReassignAsync(node, "t", (0, null))));
    }

    [Fact]
    public async Task ACancellationThatLeavesNoIsrMember_NeedsUncleanElection()
    {
        using var node = Node.OpenCluster(_dir, brokers: 4);
        await node.CreateAssignedTopicAsync("t", [1, 2]);
        await ReassignAsync(node, "t", (0, [3, 4]));
        await AlterPartitionTests.AlterAsync(node, 1, "t", [1, 2, 3], partitionEpoch: 1);

        // The original replicas go away: only broker 3, which the reassignment added, is left in the ISR.
        await node.AdvanceAsync(TimeSpan.FromSeconds(10), silent: [1, 2]);
        Assert.Equal([1, 2], await node.Controller.FenceStaleBrokersAsync(CancellationToken.None));
        Assert.Equal([3], node.Partition("t", 0).Isr);
        Assert.Equal(3, node.Partition("t", 0).Leader);

        Assert.Equal(
            [(0, ErrorCode.InvalidReplicaAssignment, "Unable to revert partition assignment for t:0 because it would require an unclean leader election.")],
            Results(await ReassignAsync(node, "t", (0, null))));
        Assert.True(node.Partition("t", 0).IsReassigning);

        await node.AlterAsync(ConfigResourceType.Topic, "t", ("unclean.leader.election.enable", 0, "true"));
        Assert.Equal([(0, ErrorCode.None, (string?)null)], Results(await ReassignAsync(node, "t", (0, null))));
        var reverted = node.Partition("t", 0);
        Assert.Equal([1, 2], reverted.Replicas);
        Assert.Equal([1], reverted.Isr);
        Assert.Equal(PartitionRegistration.NoLeader, reverted.Leader);
    }

    [Fact]
    public async Task InvalidTargets_AreRefusedWithKafkasCodesAndMessages_AndListingNamesOnlyWhatIsMoving()
    {
        using var node = Node.OpenCluster(_dir, brokers: 3);
        await node.CreateAssignedTopicAsync("t", [1, 2], [2, 3]);
        var offset = node.Image.Offset;

        Assert.Equal(
            [(0, ErrorCode.InvalidReplicaAssignment, "The manual partition assignment includes broker 9, but no such broker is registered."),
             (1, ErrorCode.InvalidReplicaAssignment, "The manual partition assignment includes the broker 3 more than once."),
             (2, ErrorCode.UnknownTopicOrPartition, "Unable to find partition t:2.")],
            Results(await ReassignAsync(node, "t", (0, [1, 9]), (1, [3, 3]), (2, [1]))));
        Assert.Equal(
            [(0, ErrorCode.InvalidReplicaAssignment, "The manual partition assignment includes an empty replica list.")],
            Results(await ReassignAsync(node, "t", (0, []))));
        Assert.Equal([(0, ErrorCode.UnknownTopicOrPartition, "Unable to find a topic named gone.")], Results(await ReassignAsync(node, "gone", (0, [1]))));
        Assert.Equal(offset, node.Image.Offset);

        await ReassignAsync(node, "t", (1, [1, 2]));
        var named = await ListAsync(node, [("t", [0, 1, 5]), ("gone", [0])]);
        var topic = Assert.Single(named.Topics);
        Assert.Equal([1], topic.Partitions.Select(p => p.PartitionIndex));
    }

    private static async Task<AlterPartitionReassignmentsResponse> ReassignAsync(Node node, string topic, params (int Partition, int[]? Replicas)[] targets)
    {
        var request = new AlterPartitionReassignmentsRequest
        {
            Topics =
            [
                new AlterPartitionReassignmentsRequest.ReassignableTopic
                {
                    Name = topic,
                    Partitions = [.. targets.Select(t => new AlterPartitionReassignmentsRequest.ReassignablePartition
                    {
                        PartitionIndex = t.Partition,
                        Replicas = t.Replicas is null ? null : [.. t.Replicas],
                    })],
                },
            ],
        };
        return (await node.Controller.AlterPartitionReassignmentsAsync(request, CancellationToken.None)).Response;
    }

    private static async Task<ListPartitionReassignmentsResponse> ListAsync(Node node, (string Topic, int[] Partitions)[]? topics)
    {
        var request = new ListPartitionReassignmentsRequest
        {
            Topics = topics is null
                ? null
                : [.. topics.Select(t => new ListPartitionReassignmentsRequest.ListPartitionReassignmentsTopics { Name = t.Topic, PartitionIndexes = [.. t.Partitions] })],
        };
        var result = await node.Controller.ListPartitionReassignmentsAsync(request, CancellationToken.None);
        Assert.Empty(result.Records);
        return result.Response;
    }

    private static List<(int, ErrorCode, string?)> Results(AlterPartitionReassignmentsResponse response) =>
        [.. Assert.Single(response.Responses).Partitions.Select(p => (p.PartitionIndex, (ErrorCode)p.ErrorCode, p.ErrorMessage))];
}
