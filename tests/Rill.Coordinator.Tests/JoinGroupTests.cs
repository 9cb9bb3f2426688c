using Rill.Common;
using static Rill.Coordinator.Tests.CoordinatorHarness;

namespace Rill.Coordinator.Tests;

public sealed class JoinGroupTests
{
    [Fact]
    public async Task JoinAndSync_OneMember_BecomesLeaderOfGenerationOneWithItsAssignment()
    {
        await using var harness = await StartAsync();
        var (memberId, join) = await harness.StartJoinAsync("g1");
        Assert.StartsWith("client-a-", memberId, StringComparison.Ordinal);
        Assert.False(join.IsCompleted);

        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(3000), "g1");
        var joined = await Completed(join);

        Assert.Equal(0, joined.ErrorCode);
        Assert.Equal(1, joined.GenerationId);
        Assert.Equal(memberId, joined.Leader);
        Assert.Equal(memberId, joined.MemberId);
        Assert.Equal("range", joined.ProtocolName);
        var member = Assert.Single(joined.Members);
        Assert.Equal(memberId, member.MemberId);
        Assert.Equal(Subscription(Orders), member.Metadata);
        Assert.Equal("CompletingRebalance", (await harness.DescribeAsync("g1")).GroupState);

        var assignment = Assignment(Orders, 0, 1, 2);
        var synced = await Completed(harness.SyncAsync("g1", memberId, 1, assignments: [(memberId, assignment)]));
        Assert.Equal(0, synced.ErrorCode);
        Assert.Equal(assignment, synced.Assignment);
        Assert.Equal("Stable", (await harness.DescribeAsync("g1")).GroupState);
        Assert.Equal(ErrorCode.None, await harness.HeartbeatAsync("g1", memberId, 1));
    }

    [Fact]
    public async Task JoinAndSync_TwoMembers_LeaderGetsAllMembersFollowerNoneAndEachItsAssignment()
    {
        await using var harness = await StartAsync();
        var (leader, leaderJoin) = await harness.StartJoinAsync("g2", "client-a");
        var (follower, followerJoin) = await harness.StartJoinAsync("g2", "client-b", protocols: [("range", Subscription(Orders, Payments))]);
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(3000), "g2");
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(3000), "g2");

        var leaderJoined = await Completed(leaderJoin);
        var followerJoined = await Completed(followerJoin);
        Assert.Equal(1, leaderJoined.GenerationId);
        Assert.Equal(1, followerJoined.GenerationId);
        Assert.Equal(leader, leaderJoined.Leader);
        Assert.Equal(leader, followerJoined.Leader);
        Assert.Equal([leader, follower], leaderJoined.Members.Select(m => m.MemberId));
        Assert.Equal(Subscription(Orders, Payments), leaderJoined.Members[1].Metadata);
        Assert.Empty(followerJoined.Members);

        // The follower syncs first and waits for the leader's assignment.
        var followerSync = harness.SyncAsync("g2", follower, 1);
        await harness.DescribeAsync("g2");
        Assert.False(followerSync.IsCompleted);
        var leaderSync = await Completed(harness.SyncAsync("g2", leader, 1,
            assignments: [(leader, Assignment(Orders, 0, 1)), (follower, Assignment(Orders, 2))]));

        Assert.Equal(Assignment(Orders, 0, 1), leaderSync.Assignment);
        Assert.Equal(Assignment(Orders, 2), (await Completed(followerSync)).Assignment);
    }

    [Fact]
    public async Task Join_V4WithoutMemberId_AnswersMemberIdRequiredWithAGeneratedId()
    {
        await using var harness = await StartAsync();
        var response = await harness.JoinAsync(4, JoinRequest("g3"), "my-client");

        Assert.Equal((short)ErrorCode.MemberIdRequired, response.ErrorCode);
        Assert.Matches("^my-client-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", response.MemberId);
        Assert.Equal(-1, response.GenerationId);
        Assert.Equal("", response.ProtocolName);
    }

    [Fact]
    public async Task Join_V2WithoutMemberId_AddsTheMemberAtOnce()
    {
        await using var harness = await StartAsync();
        var join = harness.JoinAsync(2, JoinRequest("g4"), "kafka-python");
        await harness.DescribeAsync("g4");
        var described = await harness.DescribeAsync("g4");
        Assert.Equal("PreparingRebalance", described.GroupState);
        Assert.StartsWith("kafka-python-", Assert.Single(described.Members).MemberId, StringComparison.Ordinal);

        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(3000), "g4");
        var joined = await Completed(join);
        Assert.Equal(0, joined.ErrorCode);
        Assert.Equal(1, joined.GenerationId);
        Assert.StartsWith("kafka-python-", joined.MemberId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Join_V7WithError_HasNullProtocolName()
    {
        await using var harness = await StartAsync();
        var response = await harness.JoinAsync(7, JoinRequest("g5"));
        Assert.Equal((short)ErrorCode.MemberIdRequired, response.ErrorCode);
        Assert.Null(response.ProtocolName);
    }

    [Fact]
    public async Task Join_ProtocolSupportedByAll_IsChosenByMostVotes()
    {
        await using var harness = await StartAsync();
        var both = Subscription(Orders);
        var (a, joinA) = await harness.StartJoinAsync("g6", "a", protocols: [("roundrobin", both), ("range", both)]);
        var (_, joinB) = await harness.StartJoinAsync("g6", "b", protocols: [("roundrobin", both), ("range", both), ("sticky", both)]);
        var (_, joinC) = await harness.StartJoinAsync("g6", "c", protocols: [("range", both), ("roundrobin", both)]);
        for (var i = 0; i < 4; i++)
        {
            await harness.AdvanceAsync(TimeSpan.FromMilliseconds(3000), "g6");
        }

        Assert.Equal("roundrobin", (await Completed(joinA)).ProtocolName);
        Assert.Equal("roundrobin", (await Completed(joinB)).ProtocolName);
        Assert.Equal("roundrobin", (await Completed(joinC)).ProtocolName);
        Assert.Equal(a, (await Completed(joinC)).Leader);
    }

    [Fact]
    public async Task Join_OnlyCommonProtocolIsChosenEvenIfLessPreferred()
    {
        await using var harness = await StartAsync();
        var (_, joinA) = await harness.StartJoinAsync("g7", "a", protocols: [("cooperative-sticky", Subscription(Orders)), ("range", Subscription(Orders))]);
        var (_, joinB) = await harness.StartJoinAsync("g7", "b", protocols: [("range", Subscription(Orders))]);
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(3000), "g7");
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(3000), "g7");

        Assert.Equal("range", (await Completed(joinA)).ProtocolName);
        Assert.Equal("range", (await Completed(joinB)).ProtocolName);
    }

    [Fact]
    public async Task Join_WithOtherProtocolTypeOrNoCommonProtocol_IsInconsistentGroupProtocol()
    {
        await using var harness = await StartAsync();
        await harness.StableSingleAsync("g8");

        var otherType = await harness.JoinAsync(3, JoinRequest("g8", protocolType: "connect"));
        var noCommon = await harness.JoinAsync(3, JoinRequest("g8", protocols: [("roundrobin", Subscription(Orders))]));
        var emptyType = await harness.JoinAsync(3, JoinRequest("g8-new", protocolType: ""));

        Assert.Equal((short)ErrorCode.InconsistentGroupProtocol, otherType.ErrorCode);
        Assert.Equal((short)ErrorCode.InconsistentGroupProtocol, noCommon.ErrorCode);
        Assert.Equal((short)ErrorCode.InconsistentGroupProtocol, emptyType.ErrorCode);
    }

    [Fact]
    public async Task GroupApis_WithEmptyGroupId_AnswerInvalidGroupId()
    {
        await using var harness = await StartAsync();
        var join = await harness.JoinAsync(5, JoinRequest(""));
        var sync = await harness.SyncAsync("", "m", 1);
        var heartbeat = await harness.HeartbeatAsync("", "m", 1);

        Assert.Equal((short)ErrorCode.InvalidGroupId, join.ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidGroupId, sync.ErrorCode);
        Assert.Equal(ErrorCode.InvalidGroupId, heartbeat);
    }

    [Theory]
    [InlineData(5_999)]
    [InlineData(1_800_001)]
    public async Task Join_WithSessionTimeoutOutsideTheBrokerRange_IsInvalidSessionTimeout(int sessionTimeoutMs)
    {
        await using var harness = await StartAsync();
        var response = await harness.JoinAsync(5, JoinRequest("g9", sessionTimeoutMs: sessionTimeoutMs));
        Assert.Equal((short)ErrorCode.InvalidSessionTimeout, response.ErrorCode);
    }

    [Fact]
    public async Task Join_KnownMemberIdOfUnknownGroup_IsUnknownMemberId()
    {
        await using var harness = await StartAsync();
        var response = await harness.JoinAsync(5, JoinRequest("g10", memberId: "ghost"));
        Assert.Equal((short)ErrorCode.UnknownMemberId, response.ErrorCode);
    }

    [Fact]
    public async Task InitialRebalanceDelay_IsExtendedWhileNewMembersArrive()
    {
        await using var harness = await StartAsync();
        var (_, first) = await harness.StartJoinAsync("g11", "a");
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(2000), "g11");
        var (_, second) = await harness.StartJoinAsync("g11", "b");

        // At 3 s the delay ends but a member arrived meanwhile: it is extended by another 3 s.
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(1000), "g11");
        Assert.False(first.IsCompleted);
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(2999), "g11");
        Assert.False(first.IsCompleted);
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(1), "g11");

        Assert.Equal(2, (await Completed(first)).Members.Count);
        Assert.Equal(1, (await Completed(second)).GenerationId);
    }

    [Fact]
    public async Task InitialRebalanceDelay_IsBoundedByTheRebalanceTimeout()
    {
        await using var harness = await StartAsync();
        var join = harness.JoinAsync(3, JoinRequest("g12", rebalanceTimeoutMs: 4000));
        await harness.DescribeAsync("g12");

        // delay 3 s, then at most 1 s more (rebalance timeout 4 s) although nobody else joins.
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(2999), "g12");
        Assert.False(join.IsCompleted);
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(1), "g12");
        Assert.Equal(1, (await Completed(join)).GenerationId);
    }

    [Fact]
    public async Task ThirdMember_TriggersRebalanceInProgressOnHeartbeatsAndANewGeneration()
    {
        await using var harness = await StartAsync();
        var (leader, follower) = await harness.StableTwoAsync("g13");

        var (third, thirdJoin) = await harness.StartJoinAsync("g13", "client-c");
        Assert.Equal(ErrorCode.RebalanceInProgress, await harness.HeartbeatAsync("g13", leader, 1));
        Assert.Equal(ErrorCode.RebalanceInProgress, await harness.HeartbeatAsync("g13", follower, 1));
        Assert.Equal((short)ErrorCode.RebalanceInProgress, (await harness.SyncAsync("g13", leader, 1)).ErrorCode);

        var leaderJoin = await harness.RejoinAsync("g13", leader, "client-a");
        Assert.False(leaderJoin.IsCompleted);
        var followerJoin = await harness.RejoinAsync("g13", follower, "client-b");

        var leaderJoined = await Completed(leaderJoin);
        Assert.Equal(2, leaderJoined.GenerationId);
        Assert.Equal(leader, leaderJoined.Leader);
        Assert.Equal([leader, follower, third], leaderJoined.Members.Select(m => m.MemberId));
        Assert.Equal(2, (await Completed(followerJoin)).GenerationId);
        Assert.Equal(2, (await Completed(thirdJoin)).GenerationId);
        Assert.Equal(ErrorCode.IllegalGeneration, await harness.HeartbeatAsync("g13", follower, 1));
        Assert.Equal(ErrorCode.None, await harness.HeartbeatAsync("g13", follower, 2));
    }

    [Fact]
    public async Task CooperativeRebalance_SecondRoundRightAfterSync_CompletesAnotherGeneration()
    {
        await using var harness = await StartAsync();
        var (leader, follower) = await harness.StableTwoAsync("g14");

        // Cooperative clients rejoin at once after a sync that revoked partitions, their metadata now listing
        // fewer owned partitions; that rejoin starts the second round.
        var followerJoin = await harness.RejoinAsync("g14", follower, "client-b", protocols: [("range", SubscriptionOwning(Orders))]);
        Assert.Equal("PreparingRebalance", (await harness.DescribeAsync("g14")).GroupState);
        var leaderJoin = await harness.RejoinAsync("g14", leader, "client-a", protocols: [("range", SubscriptionOwning(Orders, 0))]);
        var leaderJoined = await Completed(leaderJoin);
        var followerJoined = await Completed(followerJoin);
        Assert.Equal(2, leaderJoined.GenerationId);
        Assert.Equal(2, followerJoined.GenerationId);

        var followerSync = harness.SyncAsync("g14", follower, 2);
        var leaderSync = await Completed(harness.SyncAsync("g14", leader, 2,
            assignments: [(leader, Assignment(Orders, 0)), (follower, Assignment(Orders, 1, 2))]));
        Assert.Equal(0, leaderSync.ErrorCode);
        Assert.Equal(Assignment(Orders, 1, 2), (await Completed(followerSync)).Assignment);
        Assert.Equal("Stable", (await harness.DescribeAsync("g14")).GroupState);
    }

    [Fact]
    public async Task FollowerRejoiningStableGroupWithSameMetadata_GetsTheCurrentGenerationWithoutRebalance()
    {
        await using var harness = await StartAsync();
        var (_, follower) = await harness.StableTwoAsync("g15");

        var rejoined = await Completed(await harness.RejoinAsync("g15", follower, "client-b"));

        Assert.Equal(0, rejoined.ErrorCode);
        Assert.Equal(1, rejoined.GenerationId);
        Assert.Empty(rejoined.Members);
        Assert.Equal("Stable", (await harness.DescribeAsync("g15")).GroupState);
    }

    [Fact]
    public async Task Join_BeyondGroupMaxSize_IsGroupMaxSizeReached()
    {
        await using var harness = await StartAsync(DefaultConfig with { GroupMaxSize = 1 });
        await harness.StableSingleAsync("g16");

        var response = await harness.JoinAsync(3, JoinRequest("g16"), "client-b");

        Assert.Equal((short)ErrorCode.GroupMaxSizeReached, response.ErrorCode);
        Assert.Single((await harness.DescribeAsync("g16")).Members);
    }

    [Fact]
    public async Task Join_V0_UsesTheSessionTimeoutAsRebalanceTimeout()
    {
        await using var harness = await StartAsync(DefaultConfig with { GroupInitialRebalanceDelayMs = 0 });
        var joined = await Completed(harness.JoinAsync(0, JoinRequest("g17", sessionTimeoutMs: 6000, rebalanceTimeoutMs: 60_000)));
        await Completed(harness.SyncAsync("g17", joined.MemberId, 1, version: 0, assignments: [(joined.MemberId, [])]));

        // A second member starts a rebalance the leader never rejoins: the join phase ends after the 6 s session
        // timeout (v0's rebalance timeout), not the 60 s sent in a field v0 does not have. The leader keeps its session.
        var other = harness.JoinAsync(0, JoinRequest("g17", sessionTimeoutMs: 6000), "client-b");
        await harness.DescribeAsync("g17");
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(3000), "g17");
        Assert.Equal(ErrorCode.RebalanceInProgress, await harness.HeartbeatAsync("g17", joined.MemberId, 1));
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(2999), "g17");
        Assert.False(other.IsCompleted);
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(1), "g17");

        var otherJoined = await Completed(other);
        Assert.Equal(0, otherJoined.ErrorCode);
        Assert.Equal(2, otherJoined.GenerationId);
        Assert.Equal(otherJoined.MemberId, otherJoined.Leader);
        Assert.Equal(ErrorCode.UnknownMemberId, await harness.HeartbeatAsync("g17", joined.MemberId, 1));
    }
}
