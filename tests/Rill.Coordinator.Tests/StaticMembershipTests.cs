using Rill.Common;
using Rill.Protocol.Messages;
using static Rill.Coordinator.Tests.CoordinatorHarness;

namespace Rill.Coordinator.Tests;

public sealed class StaticMembershipTests
{
    private static async Task<(string MemberId, int Generation)> StableStaticAsync(CoordinatorHarness harness, string groupId, string instanceId)
    {
        // Static members skip MEMBER_ID_REQUIRED: they get their id at once.
        var join = harness.JoinAsync(5, JoinRequest(groupId, instanceId: instanceId));
        await harness.DescribeAsync(groupId);
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(3000), groupId);
        var joined = await Completed(join);
        Assert.Equal(0, joined.ErrorCode);
        Assert.StartsWith(instanceId + "-", joined.MemberId, StringComparison.Ordinal);
        var synced = await Completed(harness.SyncAsync(groupId, joined.MemberId, joined.GenerationId, instanceId: instanceId,
            assignments: [(joined.MemberId, Assignment(Orders, 0))]));
        Assert.Equal(0, synced.ErrorCode);
        return (joined.MemberId, joined.GenerationId);
    }

    [Fact]
    public async Task KnownInstanceRejoining_ReplacesItsMemberIdWithoutRebalance_AndFencesTheOldId()
    {
        await using var harness = await StartAsync();
        var (oldId, generation) = await StableStaticAsync(harness, "st1", "instance-1");

        var rejoined = await Completed(harness.JoinAsync(5, JoinRequest("st1", instanceId: "instance-1")));

        Assert.Equal(0, rejoined.ErrorCode);
        Assert.NotEqual(oldId, rejoined.MemberId);
        Assert.Equal(generation, rejoined.GenerationId);
        // Before v9 the old leader id comes back, so that the restarted leader does not run an assignment.
        Assert.Equal(oldId, rejoined.Leader);
        Assert.Empty(rejoined.Members);
        Assert.Equal("Stable", (await harness.DescribeAsync("st1")).GroupState);

        Assert.Equal(ErrorCode.FencedInstanceId, await harness.HeartbeatAsync("st1", oldId, generation, "instance-1"));
        Assert.Equal(ErrorCode.UnknownMemberId, await harness.HeartbeatAsync("st1", oldId, generation));
        Assert.Equal(ErrorCode.None, await harness.HeartbeatAsync("st1", rejoined.MemberId, generation, "instance-1"));
        var fencedCommit = await harness.Coordinator.OffsetCommitAsync(Context(7),
            new OffsetCommitRequest
            {
                GroupId = "st1",
                MemberId = oldId,
                GroupInstanceId = "instance-1",
                GenerationIdOrMemberEpoch = generation,
                Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic { Name = Orders, Partitions = [new() { PartitionIndex = 0, CommittedOffset = 5 }] }],
            },
            CancellationToken.None);
        Assert.Equal(ErrorCode.FencedInstanceId, Assert.Single(Codes(fencedCommit)).Error);

        // Its assignment carried over.
        var synced = await harness.SyncAsync("st1", rejoined.MemberId, generation, instanceId: "instance-1");
        Assert.Equal(Assignment(Orders, 0), synced.Assignment);
    }

    [Fact]
    public async Task KnownInstanceRejoiningWithV9_LearnsItLeadsAndSkipsTheAssignment()
    {
        await using var harness = await StartAsync();
        await StableStaticAsync(harness, "st2", "instance-1");

        var rejoined = await Completed(harness.JoinAsync(9, JoinRequest("st2", instanceId: "instance-1")));

        Assert.Equal(rejoined.MemberId, rejoined.Leader);
        Assert.True(rejoined.SkipAssignment);
        Assert.Single(rejoined.Members);
        Assert.Equal("consumer", rejoined.ProtocolType);
    }

    [Fact]
    public async Task StaticMemberReplacement_WhoseWriteFails_KeepsTheOldMemberId()
    {
        await using var harness = await StartAsync();
        var (oldId, generation) = await StableStaticAsync(harness, "st3", "instance-1");
        harness.Log.FailAppendsWith = ErrorCode.NotLeaderOrFollower;

        var rejoined = await Completed(harness.JoinAsync(5, JoinRequest("st3", instanceId: "instance-1")));

        Assert.Equal((short)ErrorCode.NotCoordinator, rejoined.ErrorCode);
        Assert.Equal("", rejoined.MemberId);
        harness.Log.FailAppendsWith = null;
        Assert.Equal(ErrorCode.None, await harness.HeartbeatAsync("st3", oldId, generation, "instance-1"));
        Assert.Equal([oldId], (await harness.DescribeAsync("st3")).Members.Select(m => m.MemberId));
    }

    [Fact]
    public async Task StaticMemberThatDoesNotRejoin_StaysThroughTheRebalance()
    {
        await using var harness = await StartAsync();
        var (staticId, _) = await StableStaticAsync(harness, "st4", "instance-1");
        var (dynamicId, dynamicJoin) = await harness.StartJoinAsync("st4", "client-b");

        // Only the dynamic member rejoins: after the rebalance timeout the static one is still a member.
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(5000), "st4");
        Assert.Equal(ErrorCode.RebalanceInProgress, await harness.HeartbeatAsync("st4", staticId, 1, "instance-1"));
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(5000), "st4");
        Assert.Equal(ErrorCode.RebalanceInProgress, await harness.HeartbeatAsync("st4", staticId, 1, "instance-1"));
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(5000), "st4");
        Assert.Equal(ErrorCode.RebalanceInProgress, await harness.HeartbeatAsync("st4", staticId, 1, "instance-1"));
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(5000), "st4");

        var joined = await Completed(dynamicJoin);
        Assert.Equal(2, joined.GenerationId);
        Assert.Equal(dynamicId, joined.Leader);
        Assert.Equal([staticId, dynamicId], joined.Members.Select(m => m.MemberId));
    }

    [Fact]
    public async Task LeaveGroupByInstanceId_RemovesTheStaticMemberAndRebalances()
    {
        await using var harness = await StartAsync();
        await StableStaticAsync(harness, "st5", "instance-1");

        var left = await harness.Coordinator.LeaveGroupAsync(
            Context(4),
            new LeaveGroupRequest { GroupId = "st5", Members = [new LeaveGroupRequest.MemberIdentity { MemberId = "", GroupInstanceId = "instance-1" }] },
            CancellationToken.None);

        Assert.Equal(0, Assert.Single(left.Members).ErrorCode);
        var described = await harness.DescribeAsync("st5");
        Assert.Equal("Empty", described.GroupState);
        Assert.Empty(described.Members);
    }

    [Fact]
    public async Task JoinWithAnotherMembersIdForTheInstance_IsFencedInstanceId()
    {
        await using var harness = await StartAsync();
        await StableStaticAsync(harness, "st6", "instance-1");

        var response = await harness.JoinAsync(5, JoinRequest("st6", memberId: "instance-1-stale", instanceId: "instance-1"));

        Assert.Equal((short)ErrorCode.FencedInstanceId, response.ErrorCode);
    }

    /// <summary>
    /// librdkafka's 0081 DescribeConsumerGroups: a static consumer closes without LeaveGroup but commits its offsets
    /// on the way out (which keeps the session alive, as in Kafka), and DeleteGroups comes a few milliseconds after
    /// the session ends. The member must be gone by then even if the session timer's callback is late.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StaticMemberThatClosesWithoutLeaving_IsRemovedWhenItsSessionEnds_AndTheEmptyGroupCanBeDeleted(bool lateTimers)
    {
        const int sessionTimeoutMs = 6000;
        await using var harness = await StartAsync(lateTimers: lateTimers);
        var join = harness.JoinAsync(5, JoinRequest("st7", instanceId: "instance-1", sessionTimeoutMs: sessionTimeoutMs));
        await harness.DescribeAsync("st7");
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(harness.Config.GroupInitialRebalanceDelayMs), "st7");
        var joined = await Completed(join);
        Assert.Equal(0, joined.ErrorCode);
        var synced = await Completed(harness.SyncAsync("st7", joined.MemberId, joined.GenerationId, instanceId: "instance-1",
            assignments: [(joined.MemberId, Assignment(Orders, 0))]));
        Assert.Equal(0, synced.ErrorCode);
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(3000), "st7");
        Assert.Equal(ErrorCode.None, await harness.HeartbeatAsync("st7", joined.MemberId, joined.GenerationId, "instance-1"));
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(2000), "st7");
        var closingCommit = await harness.CommitAsync("st7", joined.MemberId, joined.GenerationId, offsets: [(Orders, 0, 100)]);
        Assert.Equal(ErrorCode.None, Assert.Single(Codes(closingCommit)).Error);

        harness.LateTimers?.Holding = true;
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(sessionTimeoutMs - 1), "st7");
        Assert.Equal("Stable", (await harness.DescribeAsync("st7")).GroupState);
        harness.Time.Advance(TimeSpan.FromMilliseconds(1));

        var deleted = await harness.Coordinator.DeleteGroupsAsync(Context(2), new DeleteGroupsRequest { GroupsNames = ["st7"] },
            CancellationToken.None);
        Assert.Equal(0, Assert.Single(deleted.Results).ErrorCode);
        Assert.Empty(await harness.CommittedAsync("st7"));

        // The session timer's callback arrives at last: it finds nothing to do.
        harness.LateTimers?.Release();
        Assert.Equal("Dead", (await harness.DescribeAsync("st7")).GroupState);
    }

    [Fact]
    public async Task StaticMemberWhoseSessionEnded_IsRemovedBeforeTheNextRequestIsServed_EvenIfItsTimerIsLate()
    {
        await using var harness = await StartAsync(lateTimers: true);
        var (memberId, generation) = await StableStaticAsync(harness, "st8", "instance-1");
        harness.LateTimers!.Holding = true;

        harness.Time.Advance(TimeSpan.FromMilliseconds(SessionTimeoutMs));

        // The session ended before the heartbeat arrived: it does not revive the member.
        Assert.Equal(ErrorCode.UnknownMemberId, await harness.HeartbeatAsync("st8", memberId, generation, "instance-1"));
        var described = await harness.DescribeAsync("st8");
        Assert.Equal("Empty", described.GroupState);
        Assert.Empty(described.Members);
        harness.LateTimers.Release();
        Assert.Equal("Empty", (await harness.DescribeAsync("st8")).GroupState);
    }
}
