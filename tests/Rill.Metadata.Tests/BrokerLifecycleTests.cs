using Rill.Common;

namespace Rill.Metadata.Tests;

/// <summary>
/// Broker registration, heartbeats and sessions at the active controller, on a fake clock: brokers register fenced,
/// are unfenced once caught up, lose their leaderships when fenced or shutting down, and one node.id cannot be held
/// by two live processes.
/// </summary>
public sealed class BrokerLifecycleTests : IDisposable
{
    private static readonly TimeSpan PastSession = TimeSpan.FromMilliseconds(9_001);

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rill-metadata-tests", Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ABroker_RegistersFencedWithANewEpoch_AndIsUnfencedOnceItHasReachedItsRegistration()
    {
        using var node = Node.Open(_dir);
        Assert.Equal((short)ErrorCode.InconsistentClusterId, (await node.RegisterOnlyAsync(1, Uuid.NewRandom(), clusterId: "another")).ErrorCode);
        Assert.Empty(node.Image.Brokers);

        var incarnation = Uuid.NewRandom();
        var registered = await node.RegisterOnlyAsync(1, incarnation, rack: "r1");
        Assert.Equal((short)ErrorCode.None, registered.ErrorCode);
        Assert.Equal(0, registered.BrokerEpoch);
        var broker = node.Image.Brokers[1];
        Assert.Equal((0L, true, false, "r1", incarnation), (broker.BrokerEpoch, broker.Fenced, broker.InControlledShutdown, broker.Rack, broker.IncarnationId));

        var behind = await node.HeartbeatAsync(1, offset: -1);
        Assert.Equal((short)ErrorCode.None, behind.ErrorCode);
        Assert.Equal((false, true, false), (behind.IsCaughtUp, behind.IsFenced, behind.ShouldShutDown));
        Assert.True(node.Image.Brokers[1].Fenced);

        var caughtUp = await node.HeartbeatAsync(1);
        Assert.Equal((true, false, false), (caughtUp.IsCaughtUp, caughtUp.IsFenced, caughtUp.ShouldShutDown));
        Assert.False(node.Image.Brokers[1].Fenced);
        Assert.Equal(1, node.Image.Offset);

        // The same incarnation registering again (a retry) keeps its epoch and its state.
        var retried = await node.RegisterOnlyAsync(1, incarnation, rack: "r1");
        Assert.Equal(0, retried.BrokerEpoch);
        Assert.False(node.Image.Brokers[1].Fenced);

        Assert.Equal((short)ErrorCode.StaleBrokerEpoch, (await node.HeartbeatAsync(1, epoch: 7)).ErrorCode);
        Assert.Equal((short)ErrorCode.StaleBrokerEpoch, (await node.HeartbeatAsync(9, epoch: 0)).ErrorCode);
    }

    [Fact]
    public async Task ASecondProcessWithTheSameNodeId_IsRefusedWhileTheFirstHeartbeats_AndARestartIsAcceptedOnceTheOldSessionExpired()
    {
        using var node = Node.OpenCluster(_dir, brokers: 2);
        var first = node.Epochs[2];
        await node.AdvanceAsync(TimeSpan.FromSeconds(8));
        Assert.Equal((short)ErrorCode.DuplicateBrokerRegistration, (await node.RegisterOnlyAsync(2, Uuid.NewRandom())).ErrorCode);
        Assert.Equal(first, node.Image.Brokers[2].BrokerEpoch);

        // Broker 2 stops heartbeating (its process died); past its session a new incarnation may register.
        await node.AdvanceAsync(PastSession, silent: 2);
        var restarted = await node.RegisterOnlyAsync(2, Uuid.NewRandom());
        Assert.Equal((short)ErrorCode.None, restarted.ErrorCode);
        Assert.True(restarted.BrokerEpoch > first);
        Assert.True(node.Image.Brokers[2].Fenced);
    }

    [Fact]
    public async Task ABrokerThatStopsHeartbeating_IsFenced_ItsLeadershipsMoveToTheIsr_AndItLeavesTheIsrs()
    {
        using var node = Node.OpenCluster(_dir, brokers: 3);
        await node.CreateAssignedTopicAsync("t", [2, 1, 3], [1, 2, 3], [3, 1, 2]);
        await node.AdvanceAsync(TimeSpan.FromSeconds(5));
        Assert.Empty(await node.Controller.FenceStaleBrokersAsync(CancellationToken.None));

        await node.AdvanceAsync(PastSession, silent: 2);
        Assert.Equal([2], await node.Controller.FenceStaleBrokersAsync(CancellationToken.None));

        Assert.True(node.Image.Brokers[2].Fenced);
        var led = node.Partition("t", 0);
        Assert.Equal((1, 1, 1), (led.Leader, led.LeaderEpoch, led.PartitionEpoch));
        Assert.Equal([1, 3], led.Isr);
        Assert.Equal([2, 1, 3], led.Replicas);
        var followed = node.Partition("t", 1);
        Assert.Equal((1, 0, 1), (followed.Leader, followed.LeaderEpoch, followed.PartitionEpoch));
        Assert.Equal([1, 3], followed.Isr);
        Assert.Equal(3, node.Partition("t", 2).Leader);

        // Fenced brokers take no new replicas.
        Assert.Equal((short)ErrorCode.InvalidReplicationFactor, (await node.CreateTopicAsync("wide", 1, 3)).ErrorCode);
    }

    [Fact]
    public async Task TheLastIsrMember_StaysInTheIsr_WithNoLeader_AndLeadsAgainWhenItReturns()
    {
        using var node = Node.OpenCluster(_dir, brokers: 2);
        await node.CreateAssignedTopicAsync("solo", [2]);
        await node.AdvanceAsync(PastSession, silent: 2);
        Assert.Equal([2], await node.Controller.FenceStaleBrokersAsync(CancellationToken.None));

        var offline = node.Partition("solo", 0);
        Assert.Equal((PartitionRegistration.NoLeader, 1), (offline.Leader, offline.LeaderEpoch));
        Assert.Equal([2], offline.Isr);

        await node.RegisterAsync(2);
        var back = node.Partition("solo", 0);
        Assert.Equal((2, 2), (back.Leader, back.LeaderEpoch));
        Assert.Equal([2], back.Isr);
        Assert.Equal(LeaderRecoveryState.Recovered, back.LeaderRecoveryState);
    }

    [Fact]
    public async Task AReplicaOutsideTheIsr_LeadsOnlyWhenUncleanElectionIsEnabled_AndThePartitionRecovers()
    {
        using var node = Node.OpenCluster(_dir, brokers: 3);
        await node.CreateAssignedTopicAsync("clean", [2, 3]);
        await node.CreateAssignedTopicAsync("unclean", [2, 3]);
        await node.AlterAsync(ConfigResourceType.Topic, "unclean", ("unclean.leader.election.enable", 0, "true"));

        // 3 goes first and leaves the ISRs; then 2, the last ISR member, goes too.
        await node.AdvanceAsync(PastSession, silent: 3);
        Assert.Equal([3], await node.Controller.FenceStaleBrokersAsync(CancellationToken.None));
        await node.AdvanceAsync(PastSession, silent: [2, 3]);
        Assert.Equal([2], await node.Controller.FenceStaleBrokersAsync(CancellationToken.None));
        foreach (var topic in (string[])["clean", "unclean"])
        {
            Assert.Equal(PartitionRegistration.NoLeader, node.Partition(topic, 0).Leader);
            Assert.Equal([2], node.Partition(topic, 0).Isr);
        }

        await node.RegisterAsync(3);
        var clean = node.Partition("clean", 0);
        Assert.Equal(PartitionRegistration.NoLeader, clean.Leader);
        Assert.Equal([2], clean.Isr);
        var unclean = node.Partition("unclean", 0);
        Assert.Equal(3, unclean.Leader);
        Assert.Equal([3], unclean.Isr);
        Assert.Equal(LeaderRecoveryState.Recovering, unclean.LeaderRecoveryState);
    }

    [Fact]
    public async Task ControlledShutdown_MovesLeadershipsAway_AndLetsTheBrokerGoOnceTheOthersHaveSeenIt()
    {
        using var node = Node.OpenCluster(_dir, brokers: 3);
        await node.CreateAssignedTopicAsync("t", [1, 2, 3], [2, 3, 1]);
        await node.CreateAssignedTopicAsync("alone", [1]);
        await node.AdvanceAsync(TimeSpan.FromSeconds(1));

        var asked = await node.HeartbeatAsync(1, wantShutDown: true);
        Assert.Equal((false, false), (asked.IsFenced, asked.ShouldShutDown));
        Assert.True(node.Image.Brokers[1].InControlledShutdown);
        Assert.Equal(2, node.Partition("t", 0).Leader);
        Assert.Equal([2, 3], node.Partition("t", 0).Isr);
        Assert.Equal([2, 3], node.Partition("t", 1).Isr);
        Assert.Equal(PartitionRegistration.NoLeader, node.Partition("alone", 0).Leader);
        Assert.Equal([1], node.Partition("alone", 0).Isr);

        // Brokers 2 and 3 last reported an offset from before the moves: broker 1 waits for them.
        Assert.False((await node.HeartbeatAsync(1, wantShutDown: true)).ShouldShutDown);
        await node.HeartbeatAsync(2);
        await node.HeartbeatAsync(3);
        var granted = await node.HeartbeatAsync(1, wantShutDown: true);
        Assert.Equal((true, true), (granted.IsFenced, granted.ShouldShutDown));
        Assert.True(node.Image.Brokers[1].Fenced);

        // A broker that leads nothing shuts down at once.
        var lone = await node.HeartbeatAsync(3, wantShutDown: true);
        Assert.Equal((true, true), (lone.IsFenced, lone.ShouldShutDown));
        Assert.Equal([2], node.Partition("t", 0).Isr);
    }

    [Fact]
    public async Task ANewlyActiveController_StartsEveryRegisteredBrokerOnAFreshSession()
    {
        using (var node = Node.OpenCluster(_dir, brokers: 2))
        {
            await node.CreateAssignedTopicAsync("t", [2, 1]);
        }

        using var next = Node.Open(_dir);
        next.Time.Advance(TimeSpan.FromSeconds(8));
        Assert.Empty(await next.Controller.FenceStaleBrokersAsync(CancellationToken.None));
        next.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal([1, 2], (await next.Controller.FenceStaleBrokersAsync(CancellationToken.None)).Order());
        Assert.All(next.Image.Brokers.Values, broker => Assert.True(broker.Fenced));
        Assert.Equal(PartitionRegistration.NoLeader, next.Partition("t", 0).Leader);
        Assert.Equal([2], next.Partition("t", 0).Isr);
    }
}
