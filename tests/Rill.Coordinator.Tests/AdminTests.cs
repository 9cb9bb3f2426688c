using Rill.Common;
using Rill.Coordinator.Records;
using Rill.Protocol.Messages;
using static Rill.Coordinator.Tests.CoordinatorHarness;

namespace Rill.Coordinator.Tests;

public sealed class AdminTests
{
    [Fact]
    public async Task ListGroups_FiltersByStateAndType_CaseInsensitively()
    {
        await using var harness = await StartAsync();
        await harness.StableSingleAsync("a-stable");
        await harness.CommitAsync("a-simple", "", -1, 7, (Orders, 0, 1));
        var (_, join) = await harness.StartJoinAsync("a-joining");

        var all = await harness.Coordinator.ListGroupsAsync(Context(4), new ListGroupsRequest(), CancellationToken.None);
        var stable = await harness.Coordinator.ListGroupsAsync(Context(4), new ListGroupsRequest { StatesFilter = ["stable", " EMPTY "] },
            CancellationToken.None);
        var classic = await harness.Coordinator.ListGroupsAsync(Context(5), new ListGroupsRequest { TypesFilter = ["Classic"] },
            CancellationToken.None);
        var consumerType = await harness.Coordinator.ListGroupsAsync(Context(5), new ListGroupsRequest { TypesFilter = ["consumer"] },
            CancellationToken.None);

        Assert.Equal(0, all.ErrorCode);
        Assert.Equal(
            [("a-joining", "consumer", "PreparingRebalance", "classic"), ("a-simple", "", "Empty", "classic"), ("a-stable", "consumer", "Stable", "classic")],
            all.Groups.Select(g => (g.GroupId, g.ProtocolType, g.GroupState, g.GroupType)).OrderBy(g => g.GroupId, StringComparer.Ordinal));
        Assert.Equal(["a-simple", "a-stable"], stable.Groups.Select(g => g.GroupId).Order(StringComparer.Ordinal));
        Assert.Equal(3, classic.Groups.Count);
        Assert.Empty(consumerType.Groups);
        Assert.False(join.IsCompleted);
    }

    [Fact]
    public async Task DescribeGroups_StableGroup_HasMembersWithClientFactsMetadataAndAssignment()
    {
        await using var harness = await StartAsync();
        var member = await harness.StableSingleAsync("d1", "my-client");

        var response = await harness.Coordinator.DescribeGroupsAsync(Context(3),
            new DescribeGroupsRequest { Groups = ["d1", "unknown"], IncludeAuthorizedOperations = true }, CancellationToken.None);

        var group = response.Groups[0];
        Assert.Equal((0, "d1", "Stable", "consumer", "range"), (group.ErrorCode, group.GroupId, group.GroupState, group.ProtocolType, group.ProtocolData));
        Assert.Equal(328, group.AuthorizedOperations);
        var described = Assert.Single(group.Members);
        Assert.Equal((member, "my-client", ClientHost), (described.MemberId, described.ClientId, described.ClientHost));
        Assert.Equal(Subscription(Orders), described.MemberMetadata);
        Assert.Equal(Assignment(Orders, 0, 1, 2), described.MemberAssignment);

        var unknown = response.Groups[1];
        Assert.Equal((0, "unknown", "Dead", "", ""), (unknown.ErrorCode, unknown.GroupId, unknown.GroupState, unknown.ProtocolType, unknown.ProtocolData));
        Assert.Empty(unknown.Members);
    }

    [Fact]
    public async Task DescribeGroups_RebalancingGroup_HasNoProtocolAndNoMemberMetadata()
    {
        await using var harness = await StartAsync();
        await harness.StartJoinAsync("d2");

        var group = await harness.DescribeAsync("d2");

        Assert.Equal(("PreparingRebalance", ""), (group.GroupState, group.ProtocolData));
        Assert.Empty(Assert.Single(group.Members).MemberMetadata);
        Assert.Equal(int.MinValue, group.AuthorizedOperations);
    }

    [Fact]
    public async Task DeleteGroups_DeletesOnlyEmptyGroups_WithTombstonesForOffsetsAndMetadata()
    {
        await using var harness = await StartAsync();
        await harness.StableSingleAsync("del-busy");
        await harness.CommitAsync("del-empty", "", -1, 7, (Orders, 0, 1), (Payments, 0, 2));

        var response = await harness.Coordinator.DeleteGroupsAsync(Context(2),
            new DeleteGroupsRequest { GroupsNames = ["del-empty", "del-busy", "del-none", "del-empty"] }, CancellationToken.None);

        Assert.Equal([("del-empty", (short)0), ("del-busy", (short)ErrorCode.NonEmptyGroup), ("del-none", (short)ErrorCode.GroupIdNotFound)],
            response.Results.Select(r => (r.GroupId, r.ErrorCode)));
        Assert.Equal("Dead", (await harness.DescribeAsync("del-empty")).GroupState);
        Assert.Empty(await harness.CommittedAsync("del-empty"));
        var tail = harness.Log.Records(harness.Coordinator.PartitionFor("del-empty")).TakeLast(3);
        Assert.Equal(
            [new OffsetCommitRecord("del-empty", Orders, 0, null), new OffsetCommitRecord("del-empty", Payments, 0, null), new GroupMetadataRecord("del-empty", null)],
            tail);
    }

    [Fact]
    public async Task DeleteGroups_WhoseAppendFails_DeletesNothing()
    {
        await using var harness = await StartAsync();
        await harness.CommitAsync("del-fail", "", -1, 7, (Orders, 0, 1));
        harness.Log.FailAppendsWith = ErrorCode.NotLeaderOrFollower;

        var response = await harness.Coordinator.DeleteGroupsAsync(Context(2), new DeleteGroupsRequest { GroupsNames = ["del-fail"] },
            CancellationToken.None);

        Assert.Equal((short)ErrorCode.NotCoordinator, Assert.Single(response.Results).ErrorCode);
        harness.Log.FailAppendsWith = null;
        Assert.Single(await harness.CommittedAsync("del-fail"));
    }

    [Fact]
    public async Task OffsetDelete_ForASubscribedTopicOfAConsumerGroup_IsGroupSubscribedToTopic()
    {
        await using var harness = await StartAsync();
        var member = await harness.StableSingleAsync("od1");
        await harness.CommitAsync("od1", member, 1, 7, (Orders, 0, 1), (Payments, 0, 2));

        var response = await harness.Coordinator.OffsetDeleteAsync(Context(0),
            new OffsetDeleteRequest
            {
                GroupId = "od1",
                Topics =
                [
                    new() { Name = Orders, Partitions = [new() { PartitionIndex = 0 }] },
                    new() { Name = Payments, Partitions = [new() { PartitionIndex = 0 }] },
                    new() { Name = "no-such-topic", Partitions = [new() { PartitionIndex = 0 }] },
                ],
            },
            CancellationToken.None);

        Assert.Equal(0, response.ErrorCode);
        Assert.Equal(
            [(Orders, 0, (short)ErrorCode.GroupSubscribedToTopic), (Payments, 0, (short)0), ("no-such-topic", 0, (short)ErrorCode.UnknownTopicOrPartition)],
            response.Topics.SelectMany(t => t.Partitions.Select(p => (t.Name, p.PartitionIndex, p.ErrorCode))));
        Assert.Equal([(Orders, 0, 1L)], await harness.CommittedAsync("od1"));
    }

    [Fact]
    public async Task OffsetDelete_GroupLevelErrors()
    {
        await using var harness = await StartAsync();
        var member = await harness.StableSingleAsync("od2", "client-a");
        var connect = harness.JoinAsync(3, JoinRequest("od3", protocolType: "connect", protocols: [("default", [1, 2, 3])]));
        await harness.DescribeAsync("od3");
        var topics = new List<OffsetDeleteRequest.OffsetDeleteRequestTopic> { new() { Name = Payments, Partitions = [new() { PartitionIndex = 0 }] } };

        var unknown = await harness.Coordinator.OffsetDeleteAsync(Context(0), new OffsetDeleteRequest { GroupId = "od-none", Topics = topics },
            CancellationToken.None);
        var nonConsumer = await harness.Coordinator.OffsetDeleteAsync(Context(0), new OffsetDeleteRequest { GroupId = "od3", Topics = topics },
            CancellationToken.None);
        var emptyId = await harness.Coordinator.OffsetDeleteAsync(Context(0), new OffsetDeleteRequest { GroupId = "", Topics = topics },
            CancellationToken.None);

        Assert.Equal((short)ErrorCode.GroupIdNotFound, unknown.ErrorCode);
        Assert.Equal((short)ErrorCode.NonEmptyGroup, nonConsumer.ErrorCode);
        Assert.Empty(nonConsumer.Topics);
        Assert.Equal((short)ErrorCode.InvalidGroupId, emptyId.ErrorCode);
        Assert.NotNull(member);
        Assert.False(connect.IsCompleted);
    }

    [Fact]
    public async Task OffsetDelete_OnAnEmptyGroup_DeletesWithTombstones()
    {
        await using var harness = await StartAsync();
        await harness.CommitAsync("od4", "", -1, 7, (Orders, 0, 1), (Orders, 1, 2));

        var response = await harness.Coordinator.OffsetDeleteAsync(Context(0),
            new OffsetDeleteRequest { GroupId = "od4", Topics = [new() { Name = Orders, Partitions = [new() { PartitionIndex = 1 }, new() { PartitionIndex = 2 }] }] },
            CancellationToken.None);

        Assert.Equal([(short)0, (short)0], response.Topics[0].Partitions.Select(p => p.ErrorCode));
        Assert.Equal([(Orders, 0, 1L)], await harness.CommittedAsync("od4"));
        Assert.Equal(new OffsetCommitRecord("od4", Orders, 1, null), harness.Log.Records(harness.Coordinator.PartitionFor("od4"))[^1]);
    }
}
