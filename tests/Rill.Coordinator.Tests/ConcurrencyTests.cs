using Rill.Common;
using static Rill.Coordinator.Tests.CoordinatorHarness;

namespace Rill.Coordinator.Tests;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task SlowWriteOnOnePartition_DoesNotHoldUpGroupsOfOtherPartitions()
    {
        await using var harness = await StartAsync();
        var slow = "slow";
        var fast = Enumerable.Range(0, 100).Select(i => "fast-" + i)
            .First(g => harness.Coordinator.PartitionFor(g) != harness.Coordinator.PartitionFor(slow));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Log.BlockedAppends = (harness.Coordinator.PartitionFor(slow), release.Task);

        var blocked = harness.CommitAsync(slow, "", -1, 7, (Orders, 0, 1));
        var other = await Completed(harness.CommitAsync(fast, "", -1, 7, (Orders, 0, 2)));

        Assert.Equal(ErrorCode.None, Assert.Single(Codes(other)).Error);
        Assert.False(blocked.IsCompleted);
        release.SetResult();
        Assert.Equal(ErrorCode.None, Assert.Single(Codes(await Completed(blocked))).Error);
    }

    [Fact]
    public async Task ManyMembersJoiningConcurrently_AllLandInOneGeneration()
    {
        await using var harness = await StartAsync();
        var firsts = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(i => harness.JoinAsync(5, JoinRequest("crowd"), "client-" + i)));
        var joins = firsts.Select((first, i) => harness.JoinAsync(5, JoinRequest("crowd", first.MemberId), "client-" + i)).ToList();
        await harness.DescribeAsync("crowd");
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(3000), "crowd");
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(3000), "crowd");

        var joined = await Task.WhenAll(joins.Select(Completed));

        Assert.All(joined, j => Assert.Equal((0, 1), (j.ErrorCode, j.GenerationId)));
        Assert.Single(joined, j => j.Members.Count == 20);
        Assert.Equal(20, joined.Select(j => j.MemberId).Distinct().Count());
    }
}
