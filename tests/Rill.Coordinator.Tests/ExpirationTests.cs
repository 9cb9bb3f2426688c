using Rill.Common;
using Rill.Coordinator.Records;
using Rill.Protocol.Messages;
using static Rill.Coordinator.Tests.CoordinatorHarness;

namespace Rill.Coordinator.Tests;

public sealed class ExpirationTests
{
    private static readonly GroupCoordinatorConfig Retention = DefaultConfig with
    {
        OffsetsRetentionMs = 60_000,
        OffsetsRetentionCheckIntervalMs = 10_000,
        GroupInitialRebalanceDelayMs = 0,
    };

    [Fact]
    public async Task SimpleGroupOffsets_ExpireFromTheirCommit_AndTheGroupIsDeletedWithTombstones()
    {
        await using var harness = await StartAsync(Retention);
        await harness.CommitAsync("e1", "", -1, 7, (Orders, 0, 1));
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(30_000), "e1");
        await harness.CommitAsync("e1", "", -1, 7, (Orders, 1, 2));

        // At 60 s the first offset is 60 s old, the second 30 s.
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(30_000), "e1");
        Assert.Equal([(Orders, 1, 2L)], await harness.CommittedAsync("e1"));
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(30_000), "e1");

        Assert.Empty(await harness.CommittedAsync("e1"));
        Assert.Equal("Dead", (await harness.DescribeAsync("e1")).GroupState);
        var records = harness.Log.Records(harness.Coordinator.PartitionFor("e1"));
        Assert.Equal(
            [new OffsetCommitRecord("e1", Orders, 0, null), new OffsetCommitRecord("e1", Orders, 1, null), new GroupMetadataRecord("e1", null)],
            records.Skip(2));
    }

    [Fact]
    public async Task EmptyConsumerGroupOffsets_ExpireFromWhenTheGroupBecameEmpty()
    {
        await using var harness = await StartAsync(Retention);
        var member = await harness.StableSingleAsync("e2");
        await harness.CommitAsync("e2", member, 1, 7, (Orders, 0, 5));

        // While the member is there nothing expires, however old the commit.
        for (var i = 0; i < 9; i++)
        {
            await harness.AdvanceAsync(TimeSpan.FromMilliseconds(9_000), "e2");
            Assert.Equal(ErrorCode.None, await harness.HeartbeatAsync("e2", member, 1));
        }

        await harness.Coordinator.LeaveGroupAsync(Context(1), new LeaveGroupRequest { GroupId = "e2", MemberId = member }, CancellationToken.None);
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(59_000), "e2");
        Assert.Equal([(Orders, 0, 5L)], await harness.CommittedAsync("e2"));

        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(10_000), "e2");
        Assert.Empty(await harness.CommittedAsync("e2"));
        Assert.Equal("Dead", (await harness.DescribeAsync("e2")).GroupState);
    }

    [Fact]
    public async Task StableConsumerGroup_ExpiresOnlyTopicsItNoLongerSubscribesTo()
    {
        await using var harness = await StartAsync(Retention);
        var member = await harness.StableSingleAsync("e3");
        await harness.CommitAsync("e3", member, 1, 7, (Orders, 0, 5), (Payments, 0, 6));

        for (var i = 0; i < 8; i++)
        {
            await harness.AdvanceAsync(TimeSpan.FromMilliseconds(9_000), "e3");
            Assert.Equal(ErrorCode.None, await harness.HeartbeatAsync("e3", member, 1));
        }

        Assert.Equal([(Orders, 0, 5L)], await harness.CommittedAsync("e3"));
        Assert.Equal("Stable", (await harness.DescribeAsync("e3")).GroupState);
    }

    [Fact]
    public async Task OffsetWithExplicitRetention_ExpiresAtItsOwnExpireTimestamp()
    {
        await using var harness = await StartAsync(Retention);
        var request = CommitRequest("e4", "", -1, (Orders, 0, 1));
        request.RetentionTimeMs = 15_000;
        await harness.Coordinator.OffsetCommitAsync(Context(2), request, CancellationToken.None);

        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(10_000), "e4");
        Assert.Single(await harness.CommittedAsync("e4"));
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(10_000), "e4");

        Assert.Empty(await harness.CommittedAsync("e4"));
    }

    [Fact]
    public async Task ExpiredOffsets_StayGoneAfterAReload()
    {
        await using var harness = await StartAsync(Retention);
        await harness.CommitAsync("e5", "", -1, 7, (Orders, 0, 1));
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(70_000), "e5");

        await harness.RestartAsync();

        Assert.Empty(await harness.CommittedAsync("e5"));
        Assert.Equal("Dead", (await harness.DescribeAsync("e5")).GroupState);
    }

    [Fact]
    public async Task CleanupWhoseAppendFails_KeepsTheOffsetsUntilTheNextCheck()
    {
        await using var harness = await StartAsync(Retention);
        await harness.CommitAsync("e6", "", -1, 7, (Orders, 0, 1));
        harness.Log.FailAppendsWith = ErrorCode.KafkaStorageError;
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(60_000), "e6");
        Assert.Single(await harness.CommittedAsync("e6"));

        harness.Log.FailAppendsWith = null;
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(10_000), "e6");
        Assert.Empty(await harness.CommittedAsync("e6"));
    }

    [Fact]
    public async Task AfterDispose_TheRetentionCheckNoLongerRuns()
    {
        await using var harness = await StartAsync(Retention);
        await harness.CommitAsync("e7", "", -1, 7, (Orders, 0, 1));
        var appends = harness.Log.AppendCount;

        await harness.Coordinator.DisposeAsync();
        harness.Time.Advance(TimeSpan.FromMilliseconds(120_000));

        Assert.Equal(appends, harness.Log.AppendCount);
        Assert.False(harness.Coordinator.IsActive);
    }
}
