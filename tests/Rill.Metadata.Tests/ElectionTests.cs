using Rill.Common;
using Rill.Protocol.Messages;

namespace Rill.Metadata.Tests;

/// <summary>ElectLeaders (PREFERRED and UNCLEAN) with Kafka's codes, and the controller's periodic leadership rebalancing.</summary>
public sealed class ElectionTests : IDisposable
{
    private const sbyte Preferred = 0;
    private const sbyte Unclean = 1;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rill-metadata-tests", Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task PreferredElection_MovesTheLeadershipToTheFirstReplica_OnlyOnceItIsInTheIsr()
    {
        using var node = Node.OpenCluster(_dir, brokers: 3);
        await node.CreateAssignedTopicAsync("t", [1, 2, 3]);
        await FenceAndReturnAsync(node, 1);
        Assert.Equal((2, 1), (node.Partition("t", 0).Leader, node.Partition("t", 0).LeaderEpoch));

        Assert.Equal(
            [(0, ErrorCode.PreferredLeaderNotAvailable, "The preferred leader was not available."),
             (7, ErrorCode.UnknownTopicOrPartition, "No such partition as t-7")],
            Results(await ElectAsync(node, Preferred, ("t", [0, 7]))));
        Assert.Equal(
            [(0, ErrorCode.UnknownTopicOrPartition, "No such topic as gone")],
            Results(await ElectAsync(node, Preferred, ("gone", [0]))));

        await RejoinAsync(node, "t", 0, 1);
        Assert.Equal([(0, ErrorCode.None, (string?)null)], Results(await ElectAsync(node, Preferred, ("t", [0]))));
        Assert.Equal((1, 2), (node.Partition("t", 0).Leader, node.Partition("t", 0).LeaderEpoch));
        Assert.Equal(
            [(0, ErrorCode.ElectionNotNeeded, "Leader election not needed for topic partition.")],
            Results(await ElectAsync(node, Preferred, ("t", [0]))));
    }

    [Fact]
    public async Task UncleanElection_GivesALeaderlessPartitionALiveReplica_AndIsRefusedWhereNoneIsLeftOrNoneIsNeeded()
    {
        using var node = Node.OpenCluster(_dir, brokers: 3);
        await node.CreateAssignedTopicAsync("u", [2, 3]);
        await node.CreateAssignedTopicAsync("led", [1, 2]);
        await node.CreateAssignedTopicAsync("lost", [2]);
        await node.AdvanceAsync(TimeSpan.FromSeconds(10), silent: 3);
        Assert.Equal([3], await node.Controller.FenceStaleBrokersAsync(CancellationToken.None));
        await node.AdvanceAsync(TimeSpan.FromSeconds(10), silent: [2, 3]);
        Assert.Equal([2], await node.Controller.FenceStaleBrokersAsync(CancellationToken.None));
        await node.RegisterAsync(3);
        Assert.Equal(PartitionRegistration.NoLeader, node.Partition("u", 0).Leader);

        var response = await ElectAsync(node, Unclean, ("u", [0]), ("led", [0]), ("lost", [0]));
        Assert.Equal([(0, ErrorCode.None, (string?)null)], Results(response, "u"));
        Assert.Equal([(0, ErrorCode.ElectionNotNeeded, "Leader election not needed for topic partition.")], Results(response, "led"));
        Assert.Equal([(0, ErrorCode.EligibleLeadersNotAvailable, "Eligible topic partition leaders are not available.")], Results(response, "lost"));
        var elected = node.Partition("u", 0);
        Assert.Equal((3, LeaderRecoveryState.Recovering), (elected.Leader, elected.LeaderRecoveryState));
        Assert.Equal([3], elected.Isr);
    }

    [Fact]
    public async Task AllPartitions_ListOnlyThoseThatNeededAnElection_AndAnUnknownTypeIsAnInvalidRequest()
    {
        using var node = Node.OpenCluster(_dir, brokers: 2);
        await node.CreateAssignedTopicAsync("a", [1, 2], [2, 1]);
        await node.CreateAssignedTopicAsync("b", [2, 1]);
        await FenceAndReturnAsync(node, 2);
        await RejoinAsync(node, "a", 1, 2);

        var all = await node.Controller.ElectLeadersAsync(new ElectLeadersRequest { ElectionType = Preferred, TopicPartitions = null }, CancellationToken.None);
        Assert.Equal(["a", "b"], all.Response.ReplicaElectionResults.Select(r => r.Topic));
        Assert.Equal([(1, ErrorCode.None, (string?)null)], Results(all.Response, "a"));
        Assert.Equal([(0, ErrorCode.PreferredLeaderNotAvailable, "The preferred leader was not available.")], Results(all.Response, "b"));

        var invalid = await node.Controller.ElectLeadersAsync(new ElectLeadersRequest { ElectionType = 5, TopicPartitions = null }, CancellationToken.None);
        Assert.Equal((short)ErrorCode.InvalidRequest, invalid.Response.ErrorCode);
        Assert.Empty(invalid.Records);
    }

    [Fact]
    public async Task Rebalancing_GivesPreferredLeadersBackAboveTheImbalanceShare_AndNotWhenDisabled()
    {
        var cases = new (string[] Overrides, int Expected)[]
        {
            ([], 2),
            (["auto.leader.rebalance.enable=false"], 0),
            (["leader.imbalance.per.broker.percentage=100"], 0),
        };
        for (var i = 0; i < cases.Length; i++)
        {
            var (overrides, expected) = cases[i];
            var dir = Path.Combine(_dir, $"case-{i}");
            using var node = Node.OpenCluster(dir, brokers: 3, racks: null, overrides);
            await node.CreateAssignedTopicAsync("t", [1, 2, 3], [1, 3, 2], [2, 3, 1]);
            await FenceAndReturnAsync(node, 1);
            await RejoinAsync(node, "t", 0, 1);
            await RejoinAsync(node, "t", 1, 1);
            Assert.Equal([2, 3, 2], node.Image.Topics["t"].Partitions.Select(p => p.Leader));

            Assert.Equal(expected, await node.Controller.BalanceLeadersAsync(CancellationToken.None));
            Assert.Equal(expected == 0 ? [2, 3, 2] : [1, 1, 2], node.Image.Topics["t"].Partitions.Select(p => p.Leader));
        }
    }

    [Fact]
    public async Task Rebalancing_ElectsUncleanlyForLeaderlessPartitions_OnceTheTopicAllowsIt()
    {
        using var node = Node.OpenCluster(_dir, brokers: 2);
        await node.CreateAssignedTopicAsync("u", [1, 2]);
        await node.AdvanceAsync(TimeSpan.FromSeconds(10), silent: 2);
        Assert.Equal([2], await node.Controller.FenceStaleBrokersAsync(CancellationToken.None));
        await node.AdvanceAsync(TimeSpan.FromSeconds(10), silent: [1, 2]);
        Assert.Equal([1], await node.Controller.FenceStaleBrokersAsync(CancellationToken.None));
        await node.RegisterAsync(2);
        Assert.Equal(PartitionRegistration.NoLeader, node.Partition("u", 0).Leader);
        Assert.Equal(0, await node.Controller.BalanceLeadersAsync(CancellationToken.None));

        await node.AlterAsync(ConfigResourceType.Topic, "u", ("unclean.leader.election.enable", 0, "true"));
        Assert.Equal(1, await node.Controller.BalanceLeadersAsync(CancellationToken.None));
        Assert.Equal(2, node.Partition("u", 0).Leader);
        Assert.Equal([2], node.Partition("u", 0).Isr);
    }

    // The broker's session expires (it is fenced, its leaderships move), then it registers again and is unfenced.
    private static async Task FenceAndReturnAsync(Node node, int brokerId)
    {
        await node.AdvanceAsync(TimeSpan.FromSeconds(10), silent: brokerId);
        Assert.Equal([brokerId], await node.Controller.FenceStaleBrokersAsync(CancellationToken.None));
        await node.RegisterAsync(brokerId);
    }

    // The partition's leader adds the broker back to the ISR, as it does once the broker has caught up.
    private static async Task RejoinAsync(Node node, string topic, int partition, int brokerId)
    {
        var current = node.Partition(topic, partition);
        var response = await AlterPartitionTests.AlterAsync(
            node, current.Leader, topic, [.. current.Isr, brokerId], partition, current.LeaderEpoch, current.PartitionEpoch);
        Assert.Equal((short)ErrorCode.None, Assert.Single(Assert.Single(response.Topics).Partitions).ErrorCode);
    }

    private static async Task<ElectLeadersResponse> ElectAsync(Node node, sbyte type, params (string Topic, int[] Partitions)[] partitions)
    {
        var request = new ElectLeadersRequest
        {
            ElectionType = type,
            TopicPartitions = [.. partitions.Select(t => new ElectLeadersRequest.TopicPartitionsData { Topic = t.Topic, Partitions = [.. t.Partitions] })],
        };
        return (await node.Controller.ElectLeadersAsync(request, CancellationToken.None)).Response;
    }

    private static List<(int, ErrorCode, string?)> Results(ElectLeadersResponse response, string? topic = null) =>
        [.. response.ReplicaElectionResults
            .Where(r => topic is null || r.Topic == topic)
            .SelectMany(r => r.PartitionResult)
            .Select(p => (p.PartitionId, (ErrorCode)p.ErrorCode, p.ErrorMessage))];
}
