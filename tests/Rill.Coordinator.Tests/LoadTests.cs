using Microsoft.Extensions.Logging.Abstractions;
using Rill.Common;
using Rill.Protocol.Messages;
using static Rill.Coordinator.Tests.CoordinatorHarness;

namespace Rill.Coordinator.Tests;

public sealed class LoadTests
{
    [Fact]
    public async Task Reload_BringsBackOffsetsExactly_AndTheStableGroupWithItsMembers()
    {
        await using var harness = await StartAsync();
        var (leader, follower) = await harness.StableTwoAsync("l1");
        await harness.CommitAsync("l1", leader, 1, 7, (Orders, 0, 100), (Orders, 1, 200));
        await harness.CommitAsync("l1", follower, 1, 7, (Orders, 2, 300));
        await harness.CommitAsync("l1", leader, 1, 7, (Orders, 0, 150));
        await harness.CommitAsync("l1-simple", "", -1, 2, (Payments, 0, 9));

        await harness.RestartAsync();

        Assert.Equal([(Orders, 0, 150L), (Orders, 1, 200L), (Orders, 2, 300L)], await harness.CommittedAsync("l1"));
        Assert.Equal([(Payments, 0, 9L)], await harness.CommittedAsync("l1-simple"));
        var fetched = await harness.Coordinator.OffsetFetchAsync(Context(7),
            new OffsetFetchRequest { GroupId = "l1", Topics = [new() { Name = Orders, PartitionIndexes = [0] }] }, CancellationToken.None);
        Assert.Equal((7, "meta-150"), (fetched.Topics[0].Partitions[0].CommittedLeaderEpoch, fetched.Topics[0].Partitions[0].Metadata));

        var described = await harness.DescribeAsync("l1");
        Assert.Equal("Stable", described.GroupState);
        Assert.Equal("range", described.ProtocolData);
        Assert.Equal([leader, follower], described.Members.Select(m => m.MemberId));
        Assert.Equal([Assignment(Orders, 0, 1), Assignment(Orders, 2)], described.Members.Select(m => m.MemberAssignment));
        Assert.Equal(ErrorCode.None, await harness.HeartbeatAsync("l1", follower, 1));
        Assert.Equal(Assignment(Orders, 2), (await harness.SyncAsync("l1", follower, 1)).Assignment);
    }

    [Fact]
    public async Task Reload_LoadedMembersThatNeverComeBack_AreRemovedWhenTheirSessionsExpire()
    {
        await using var harness = await StartAsync();
        await harness.StableSingleAsync("l2");

        await harness.RestartAsync();
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(SessionTimeoutMs), "l2");

        var described = await harness.DescribeAsync("l2");
        Assert.Empty(described.Members);
        Assert.Equal("Empty", described.GroupState);
    }

    [Fact]
    public async Task Reload_AfterDeletesAndEmptyGenerations_ReplaysTombstonesInOrder()
    {
        await using var harness = await StartAsync();
        var member = await harness.StableSingleAsync("l3");
        await harness.CommitAsync("l3", member, 1, 7, (Orders, 0, 1));
        await harness.Coordinator.LeaveGroupAsync(Context(1), new LeaveGroupRequest { GroupId = "l3", MemberId = member }, CancellationToken.None);
        await harness.CommitAsync("l3-gone", "", -1, 7, (Orders, 0, 1));
        await harness.Coordinator.DeleteGroupsAsync(Context(2), new DeleteGroupsRequest { GroupsNames = ["l3-gone"] }, CancellationToken.None);

        await harness.RestartAsync();

        var described = await harness.DescribeAsync("l3");
        Assert.Equal("Empty", described.GroupState);
        Assert.Equal("consumer", described.ProtocolType);
        Assert.Equal([(Orders, 0, 1L)], await harness.CommittedAsync("l3"));
        Assert.Equal("Dead", (await harness.DescribeAsync("l3-gone")).GroupState);
        Assert.Empty(await harness.CommittedAsync("l3-gone"));

        // The generation went on counting: the next join makes generation 3 (1 synced, 2 empty).
        var (_, join) = await harness.StartJoinAsync("l3");
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(3000), "l3");
        Assert.Equal(3, (await Completed(join)).GenerationId);
    }

    [Fact]
    public async Task WhileLoading_RequestsAnswerLoadInProgress_HeartbeatsAnswerNone_FindCoordinatorPointsHere()
    {
        await using var harness = await StartAsync(load: false);
        var partition = harness.Coordinator.PartitionFor("l4");
        using var gate = new ManualResetEventSlim(false);
        harness.Log.ReadGate = gate;

        var load = harness.Coordinator.OnBecomeLeaderAsync(partition, CancellationToken.None);

        Assert.Equal((short)ErrorCode.CoordinatorLoadInProgress, (await harness.JoinAsync(5, JoinRequest("l4"))).ErrorCode);
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, Assert.Single(Codes(await harness.CommitAsync("l4", "", -1, 7, (Orders, 0, 1)))).Error);
        Assert.Equal((short)ErrorCode.CoordinatorLoadInProgress, (await harness.DescribeAsync("l4")).ErrorCode);
        Assert.Equal(ErrorCode.None, await harness.HeartbeatAsync("l4", "m", 1));
        var listed = await harness.Coordinator.ListGroupsAsync(Context(4), new ListGroupsRequest(), CancellationToken.None);
        Assert.Equal((short)ErrorCode.CoordinatorLoadInProgress, listed.ErrorCode);
        Assert.Equal(ErrorCode.None, harness.Coordinator.CoordinatorStateFor("l4"));

        gate.Set();
        await load.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.Equal((short)ErrorCode.MemberIdRequired, (await harness.JoinAsync(5, JoinRequest("l4"))).ErrorCode);
    }

    [Fact]
    public async Task PartitionNotLedHere_AnswersNotCoordinator()
    {
        await using var harness = await StartAsync(load: false);
        var other = (harness.Coordinator.PartitionFor("l5") + 1) % OffsetsPartitions;
        await harness.Coordinator.OnBecomeLeaderAsync(other, CancellationToken.None);

        Assert.Equal((short)ErrorCode.NotCoordinator, (await harness.JoinAsync(5, JoinRequest("l5"))).ErrorCode);
        Assert.Equal((short)ErrorCode.NotCoordinator, (await harness.SyncAsync("l5", "m", 1)).ErrorCode);
        Assert.Equal(ErrorCode.NotCoordinator, await harness.HeartbeatAsync("l5", "m", 1));
        Assert.Equal(ErrorCode.NotCoordinator, Assert.Single(Codes(await harness.CommitAsync("l5", "", -1, 7, (Orders, 0, 1)))).Error);
        Assert.Equal((short)ErrorCode.NotCoordinator, (await harness.DescribeAsync("l5")).ErrorCode);
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, harness.Coordinator.CoordinatorStateFor("l5"));
    }

    [Fact]
    public async Task BeforeTheOffsetsTopicExists_EverythingIsCoordinatorNotAvailable()
    {
        await using var harness = await StartAsync(load: false);
        harness.Image = ImageWithTopics(withOffsetsTopic: false);

        Assert.False(harness.Coordinator.IsActive);
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, harness.Coordinator.CoordinatorStateFor("l6"));
        Assert.Equal((short)ErrorCode.CoordinatorNotAvailable, (await harness.JoinAsync(5, JoinRequest("l6"))).ErrorCode);
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, await harness.HeartbeatAsync("l6", "m", 1));
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, Assert.Single(Codes(await harness.CommitAsync("l6", "", -1, 7, (Orders, 0, 1)))).Error);
        var listed = await harness.Coordinator.ListGroupsAsync(Context(3), new ListGroupsRequest(), CancellationToken.None);
        Assert.Equal((short)ErrorCode.CoordinatorNotAvailable, listed.ErrorCode);
    }

    [Fact]
    public async Task LoadThatFailsToRead_FaultsAndLeavesThePartitionNotCoordinated()
    {
        await using var harness = await StartAsync(load: false);
        var coordinator = new GroupCoordinator(harness.Config, new FailingReadLog(), () => harness.Image, harness.Time, NullLoggerFactory.Instance);
        await using (coordinator)
        {
            var partition = coordinator.PartitionFor("l7");
            var exception = await Assert.ThrowsAsync<KafkaException>(() => coordinator.OnBecomeLeaderAsync(partition, CancellationToken.None));

            Assert.Equal(ErrorCode.KafkaStorageError, exception.ErrorCode);
            var response = await coordinator.JoinGroupAsync(Context(5), JoinRequest("l7"), CancellationToken.None);
            Assert.Equal((short)ErrorCode.NotCoordinator, response.ErrorCode);
        }
    }

    private sealed class FailingReadLog : ICoordinatorLog
    {
        public ValueTask<CoordinatorAppendResult> AppendAsync(int partition, ReadOnlyMemory<byte> batch, CancellationToken cancellationToken) =>
            ValueTask.FromResult(CoordinatorAppendResult.Failed(ErrorCode.KafkaStorageError));

        public CoordinatorReadResult Read(int partition, long offset, int maxBytes) => CoordinatorReadResult.Failed(ErrorCode.KafkaStorageError);
    }
}
