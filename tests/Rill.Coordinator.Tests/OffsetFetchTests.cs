using Rill.Common;
using Rill.Protocol.Messages;
using static Rill.Coordinator.Tests.CoordinatorHarness;

namespace Rill.Coordinator.Tests;

public sealed class OffsetFetchTests
{
    [Fact]
    public async Task Fetch_V1_AnswersCommittedAndMinusOneForTheRest()
    {
        await using var harness = await StartAsync();
        await harness.CommitAsync("f1", "", -1, 2, (Orders, 0, 5));

        var fetched = await harness.Coordinator.OffsetFetchAsync(Context(1),
            new OffsetFetchRequest { GroupId = "f1", Topics = [new() { Name = Orders, PartitionIndexes = [0, 1] }, new() { Name = "unknown", PartitionIndexes = [0] }] },
            CancellationToken.None);

        Assert.Equal(
            [(Orders, 0, 5L, "meta-5", (short)0), (Orders, 1, -1L, "", (short)0), ("unknown", 0, -1L, "", (short)0)],
            fetched.Topics.SelectMany(t => t.Partitions.Select(p => (t.Name, p.PartitionIndex, p.CommittedOffset, p.Metadata, p.ErrorCode))));
    }

    [Fact]
    public async Task Fetch_UnknownGroup_AnswersMinusOneWithoutError()
    {
        await using var harness = await StartAsync();

        var fetched = await harness.Coordinator.OffsetFetchAsync(Context(5),
            new OffsetFetchRequest { GroupId = "nobody", Topics = [new() { Name = Orders, PartitionIndexes = [2] }] }, CancellationToken.None);
        var all = await harness.Coordinator.OffsetFetchAsync(Context(5), new OffsetFetchRequest { GroupId = "nobody", Topics = null },
            CancellationToken.None);

        Assert.Equal(0, fetched.ErrorCode);
        var partition = Assert.Single(Assert.Single(fetched.Topics).Partitions);
        Assert.Equal((2, -1L, -1, "", (short)0), (partition.PartitionIndex, partition.CommittedOffset, partition.CommittedLeaderEpoch, partition.Metadata, partition.ErrorCode));
        Assert.Equal(0, all.ErrorCode);
        Assert.Empty(all.Topics);
    }

    [Fact]
    public async Task Fetch_NullTopics_AnswersEveryCommittedOffsetOfTheGroup()
    {
        await using var harness = await StartAsync();
        await harness.CommitAsync("f2", "", -1, 7, (Orders, 2, 3), (Payments, 0, 8), (Orders, 0, 1));

        Assert.Equal([(Orders, 0, 1L), (Orders, 2, 3L), (Payments, 0, 8L)], await harness.CommittedAsync("f2"));
    }

    [Fact]
    public async Task Fetch_V8_AnswersManyGroupsEachWithItsOwnCode()
    {
        await using var harness = await StartAsync();
        await harness.CommitAsync("f3-a", "", -1, 8, (Orders, 0, 11));
        await harness.CommitAsync("f3-b", "", -1, 8, (Payments, 0, 22));

        var fetched = await harness.Coordinator.OffsetFetchAsync(Context(8),
            new OffsetFetchRequest
            {
                Groups =
                [
                    new() { GroupId = "f3-a", Topics = [new() { Name = Orders, PartitionIndexes = [0] }] },
                    new() { GroupId = "f3-b", Topics = null },
                    new() { GroupId = "f3-c", Topics = [new() { Name = Orders, PartitionIndexes = [1] }] },
                ],
            },
            CancellationToken.None);

        Assert.Equal(["f3-a", "f3-b", "f3-c"], fetched.Groups.Select(g => g.GroupId));
        Assert.All(fetched.Groups, g => Assert.Equal(0, g.ErrorCode));
        Assert.Equal(11, fetched.Groups[0].Topics[0].Partitions[0].CommittedOffset);
        Assert.Equal((Payments, 22L), (fetched.Groups[1].Topics[0].Name, fetched.Groups[1].Topics[0].Partitions[0].CommittedOffset));
        Assert.Equal(-1, fetched.Groups[2].Topics[0].Partitions[0].CommittedOffset);
    }

    [Fact]
    public async Task Fetch_V7RequireStable_AnswersNormally()
    {
        await using var harness = await StartAsync();
        await harness.CommitAsync("f4", "", -1, 7, (Orders, 0, 4));

        var fetched = await harness.Coordinator.OffsetFetchAsync(Context(7),
            new OffsetFetchRequest { GroupId = "f4", Topics = [new() { Name = Orders, PartitionIndexes = [0] }], RequireStable = true },
            CancellationToken.None);

        Assert.Equal(4, fetched.Topics[0].Partitions[0].CommittedOffset);
        Assert.Equal(0, fetched.Topics[0].Partitions[0].ErrorCode);
    }

    [Fact]
    public async Task Fetch_ForAPartitionNotLedHere_IsNotCoordinator_AtTheLevelEachVersionHas()
    {
        await using var harness = await StartAsync();
        await harness.Coordinator.OnResignAsync(harness.Coordinator.PartitionFor("f5"));
        var topics = new List<OffsetFetchRequest.OffsetFetchRequestTopic> { new() { Name = Orders, PartitionIndexes = [0, 1] } };

        var v1 = await harness.Coordinator.OffsetFetchAsync(Context(1), new OffsetFetchRequest { GroupId = "f5", Topics = topics }, CancellationToken.None);
        var v5 = await harness.Coordinator.OffsetFetchAsync(Context(5), new OffsetFetchRequest { GroupId = "f5", Topics = topics }, CancellationToken.None);
        var v8 = await harness.Coordinator.OffsetFetchAsync(Context(8),
            new OffsetFetchRequest { Groups = [new() { GroupId = "f5", Topics = null }] }, CancellationToken.None);

        Assert.Equal([(short)ErrorCode.NotCoordinator, (short)ErrorCode.NotCoordinator], v1.Topics[0].Partitions.Select(p => p.ErrorCode));
        Assert.Equal([-1L, -1L], v1.Topics[0].Partitions.Select(p => p.CommittedOffset));
        Assert.Equal((short)ErrorCode.NotCoordinator, v5.ErrorCode);
        Assert.Equal((short)ErrorCode.NotCoordinator, Assert.Single(v8.Groups).ErrorCode);
    }
}
