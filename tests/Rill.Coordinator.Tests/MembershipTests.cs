using Rill.Common;
using Rill.Protocol.Messages;
using static Rill.Coordinator.Tests.CoordinatorHarness;

namespace Rill.Coordinator.Tests;

public sealed class MembershipTests
{
    [Fact]
    public async Task SessionTimeout_RemovesASilentMember_AndTheRestGetANewGeneration()
    {
        await using var harness = await StartAsync();
        var (leader, follower) = await harness.StableTwoAsync("s1");

        // Only the leader keeps heartbeating.
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(6000), "s1");
        Assert.Equal(ErrorCode.None, await harness.HeartbeatAsync("s1", leader, 1));
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(3999), "s1");
        Assert.Equal(2, (await harness.DescribeAsync("s1")).Members.Count);
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(1), "s1");

        var described = await harness.DescribeAsync("s1");
        Assert.Equal("PreparingRebalance", described.GroupState);
        Assert.Equal([leader], described.Members.Select(m => m.MemberId));
        Assert.Equal(ErrorCode.RebalanceInProgress, await harness.HeartbeatAsync("s1", leader, 1));
        Assert.Equal(ErrorCode.UnknownMemberId, await harness.HeartbeatAsync("s1", follower, 1));

        var rejoined = await Completed(await harness.RejoinAsync("s1", leader));
        Assert.Equal(2, rejoined.GenerationId);
        Assert.Equal([leader], rejoined.Members.Select(m => m.MemberId));
    }

    [Fact]
    public async Task RebalanceTimeout_RemovesAMemberThatDoesNotRejoin()
    {
        await using var harness = await StartAsync();
        var (leader, follower) = await harness.StableTwoAsync("s2");

        // The leader rejoins (a rebalance); the follower heartbeats but never rejoins.
        var leaderJoin = await harness.RejoinAsync("s2", leader);
        for (var elapsed = 0; elapsed < RebalanceTimeoutMs - 5000; elapsed += 5000)
        {
            await harness.AdvanceAsync(TimeSpan.FromMilliseconds(5000), "s2");
            Assert.Equal(ErrorCode.RebalanceInProgress, await harness.HeartbeatAsync("s2", follower, 1));
        }

        Assert.False(leaderJoin.IsCompleted);
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(5000), "s2");

        var joined = await Completed(leaderJoin);
        Assert.Equal(2, joined.GenerationId);
        Assert.Equal([leader], joined.Members.Select(m => m.MemberId));
        Assert.Equal(ErrorCode.UnknownMemberId, await harness.HeartbeatAsync("s2", follower, 1));
    }

    [Fact]
    public async Task MemberThatNeverSyncs_IsRemovedAfterTheRebalanceTimeout()
    {
        await using var harness = await StartAsync();
        var (leader, leaderJoin) = await harness.StartJoinAsync("s3", "client-a");
        var (follower, followerJoin) = await harness.StartJoinAsync("s3", "client-b");
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(3000), "s3");
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(3000), "s3");
        await Completed(leaderJoin);
        await Completed(followerJoin);

        // Both keep their sessions alive, but the follower never sends SyncGroup.
        await Completed(harness.SyncAsync("s3", leader, 1, assignments: [(leader, Assignment(Orders, 0)), (follower, Assignment(Orders, 1))]));
        for (var elapsed = 0; elapsed < RebalanceTimeoutMs - 5000; elapsed += 5000)
        {
            await harness.AdvanceAsync(TimeSpan.FromMilliseconds(5000), "s3");
            Assert.Equal(ErrorCode.None, await harness.HeartbeatAsync("s3", leader, 1));
            Assert.Equal(ErrorCode.None, await harness.HeartbeatAsync("s3", follower, 1));
        }

        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(5000), "s3");

        var described = await harness.DescribeAsync("s3");
        Assert.Equal("PreparingRebalance", described.GroupState);
        Assert.Equal([leader], described.Members.Select(m => m.MemberId));
        Assert.Equal(ErrorCode.UnknownMemberId, await harness.HeartbeatAsync("s3", follower, 1));
    }

    [Fact]
    public async Task Heartbeat_Errors_AreExactlyKafkas()
    {
        await using var harness = await StartAsync();
        var member = await harness.StableSingleAsync("s4");

        Assert.Equal(ErrorCode.UnknownMemberId, await harness.HeartbeatAsync("nope", member, 1));
        Assert.Equal(ErrorCode.UnknownMemberId, await harness.HeartbeatAsync("s4", "someone-else", 1));
        Assert.Equal(ErrorCode.IllegalGeneration, await harness.HeartbeatAsync("s4", member, 2));
        Assert.Equal(ErrorCode.UnknownMemberId, await harness.HeartbeatAsync("s4", member, 1, instanceId: "unknown-instance"));
    }

    [Fact]
    public async Task SyncGroup_Errors_AreExactlyKafkas()
    {
        await using var harness = await StartAsync();
        var member = await harness.StableSingleAsync("s5");

        Assert.Equal((short)ErrorCode.UnknownMemberId, (await harness.SyncAsync("nope", member, 1)).ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownMemberId, (await harness.SyncAsync("s5", "ghost", 1)).ErrorCode);
        Assert.Equal((short)ErrorCode.IllegalGeneration, (await harness.SyncAsync("s5", member, 7)).ErrorCode);

        var wrongProtocol = await harness.Coordinator.SyncGroupAsync(Context(5),
            new SyncGroupRequest { GroupId = "s5", MemberId = member, GenerationId = 1, ProtocolType = "consumer", ProtocolName = "roundrobin" },
            CancellationToken.None);
        Assert.Equal((short)ErrorCode.InconsistentGroupProtocol, wrongProtocol.ErrorCode);
        var missingProtocol = await harness.Coordinator.SyncGroupAsync(Context(5),
            new SyncGroupRequest { GroupId = "s5", MemberId = member, GenerationId = 1, ProtocolType = "consumer" },
            CancellationToken.None);
        Assert.Equal((short)ErrorCode.InconsistentGroupProtocol, missingProtocol.ErrorCode);

        // A Stable group answers a repeated SyncGroup with the member's current assignment.
        var again = await harness.SyncAsync("s5", member, 1, version: 5);
        Assert.Equal(0, again.ErrorCode);
        Assert.Equal(Assignment(Orders, 0, 1, 2), again.Assignment);
        Assert.Equal("consumer", again.ProtocolType);
        Assert.Equal("range", again.ProtocolName);
    }

    [Fact]
    public async Task LeaveGroup_V1_RemovesTheMemberAndTheLastOneLeavesTheGroupEmpty()
    {
        await using var harness = await StartAsync();
        var member = await harness.StableSingleAsync("s6");
        var appendsBefore = harness.Log.AppendCount;

        var left = await harness.Coordinator.LeaveGroupAsync(Context(1), new LeaveGroupRequest { GroupId = "s6", MemberId = member },
            CancellationToken.None);

        Assert.Equal(0, left.ErrorCode);
        var described = await harness.DescribeAsync("s6");
        Assert.Equal("Empty", described.GroupState);
        Assert.Empty(described.Members);
        Assert.Equal(appendsBefore + 1, harness.Log.AppendCount);
        var again = await harness.Coordinator.LeaveGroupAsync(Context(1), new LeaveGroupRequest { GroupId = "s6", MemberId = member },
            CancellationToken.None);
        Assert.Equal((short)ErrorCode.UnknownMemberId, again.ErrorCode);
    }

    [Fact]
    public async Task LeaveGroup_V3Batch_AnswersPerMemberAndRebalancesTheRest()
    {
        await using var harness = await StartAsync();
        var (leader, follower) = await harness.StableTwoAsync("s7");

        var left = await harness.Coordinator.LeaveGroupAsync(
            Context(3),
            new LeaveGroupRequest
            {
                GroupId = "s7",
                Members =
                [
                    new LeaveGroupRequest.MemberIdentity { MemberId = follower },
                    new LeaveGroupRequest.MemberIdentity { MemberId = "ghost" },
                    new LeaveGroupRequest.MemberIdentity { MemberId = "", GroupInstanceId = "no-such-instance" },
                ],
            },
            CancellationToken.None);

        Assert.Equal(0, left.ErrorCode);
        Assert.Equal([(follower, (short)0), ("ghost", (short)ErrorCode.UnknownMemberId), ("", (short)ErrorCode.UnknownMemberId)],
            left.Members.Select(m => (m.MemberId, m.ErrorCode)));
        Assert.Equal("PreparingRebalance", (await harness.DescribeAsync("s7")).GroupState);
        Assert.Equal(ErrorCode.RebalanceInProgress, await harness.HeartbeatAsync("s7", leader, 1));
        var joined = await Completed(await harness.RejoinAsync("s7", leader));
        Assert.Equal(2, joined.GenerationId);
    }

    [Fact]
    public async Task LeaveGroup_UnknownGroup_AnswersUnknownMemberIdPerMember()
    {
        await using var harness = await StartAsync();
        var v3 = await harness.Coordinator.LeaveGroupAsync(Context(3),
            new LeaveGroupRequest { GroupId = "nope", Members = [new LeaveGroupRequest.MemberIdentity { MemberId = "m" }] }, CancellationToken.None);
        var v0 = await harness.Coordinator.LeaveGroupAsync(Context(0), new LeaveGroupRequest { GroupId = "nope", MemberId = "m" },
            CancellationToken.None);

        Assert.Equal(0, v3.ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownMemberId, Assert.Single(v3.Members).ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownMemberId, v0.ErrorCode);
    }

    [Fact]
    public async Task LeaveWhileJoining_AnswersTheWaitingJoinWithUnknownMemberId()
    {
        await using var harness = await StartAsync();
        var (member, join) = await harness.StartJoinAsync("s8");

        await harness.Coordinator.LeaveGroupAsync(Context(1), new LeaveGroupRequest { GroupId = "s8", MemberId = member }, CancellationToken.None);

        var joined = await Completed(join);
        Assert.Equal((short)ErrorCode.UnknownMemberId, joined.ErrorCode);
        Assert.Equal("", joined.MemberId);
    }

    [Fact]
    public async Task PendingMember_ThatNeverRejoins_IsForgottenAfterItsSessionTimeout()
    {
        await using var harness = await StartAsync();
        var first = await harness.JoinAsync(5, JoinRequest("s9"));
        Assert.Equal((short)ErrorCode.MemberIdRequired, first.ErrorCode);
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(SessionTimeoutMs), "s9");

        var late = await harness.JoinAsync(5, JoinRequest("s9", first.MemberId));

        Assert.Equal((short)ErrorCode.UnknownMemberId, late.ErrorCode);
    }

    [Fact]
    public async Task Resign_AnswersWaitingJoinsWithNotCoordinator_AndLaterRequestsToo()
    {
        await using var harness = await StartAsync();
        var (member, join) = await harness.StartJoinAsync("s10");

        await harness.Coordinator.OnResignAsync(harness.Coordinator.PartitionFor("s10"));

        Assert.Equal((short)ErrorCode.NotCoordinator, (await Completed(join)).ErrorCode);
        Assert.Equal(ErrorCode.NotCoordinator, await harness.HeartbeatAsync("s10", member, 1));
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, harness.Coordinator.CoordinatorStateFor("s10"));
    }

    [Fact]
    public async Task LeaderSyncWhoseAppendFails_AnswersEveryoneWithTheMappedErrorAndRebalances()
    {
        await using var harness = await StartAsync();
        var (leader, leaderJoin) = await harness.StartJoinAsync("s11", "client-a");
        var (follower, followerJoin) = await harness.StartJoinAsync("s11", "client-b");
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(3000), "s11");
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(3000), "s11");
        await Completed(leaderJoin);
        await Completed(followerJoin);
        var followerSync = harness.SyncAsync("s11", follower, 1);
        await harness.DescribeAsync("s11");
        harness.Log.FailAppendsWith = ErrorCode.KafkaStorageError;

        var leaderSync = await Completed(harness.SyncAsync("s11", leader, 1, assignments: [(leader, Assignment(Orders, 0)), (follower, Assignment(Orders, 1))]));

        Assert.Equal((short)ErrorCode.NotCoordinator, leaderSync.ErrorCode);
        Assert.Empty(leaderSync.Assignment);
        Assert.Equal((short)ErrorCode.NotCoordinator, (await Completed(followerSync)).ErrorCode);
        var described = await harness.DescribeAsync("s11");
        Assert.Equal("PreparingRebalance", described.GroupState);
        Assert.All(described.Members, m => Assert.Empty(m.MemberAssignment));

        // Once the log accepts writes again, the members rejoin and complete generation 2.
        harness.Log.FailAppendsWith = null;
        var leaderRejoin = await harness.RejoinAsync("s11", leader, "client-a");
        var followerRejoin = await harness.RejoinAsync("s11", follower, "client-b");
        Assert.Equal(2, (await Completed(leaderRejoin)).GenerationId);
        Assert.Equal(2, (await Completed(followerRejoin)).GenerationId);
    }

    [Fact]
    public async Task NewGroupWhoseFirstWriteFails_IsNotCreated()
    {
        await using var harness = await StartAsync();
        harness.Log.FailAppendsWith = ErrorCode.NotLeaderOrFollower;

        var response = await harness.JoinAsync(5, JoinRequest("s12"));

        Assert.Equal((short)ErrorCode.NotCoordinator, response.ErrorCode);
        Assert.Equal("Dead", (await harness.DescribeAsync("s12")).GroupState);
    }
}
