using Rill.Common;
using Rill.Coordinator.Records;
using Rill.Protocol.Messages;
using static Rill.Coordinator.Tests.CoordinatorHarness;

namespace Rill.Coordinator.Tests;

public sealed class OffsetCommitTests
{
    [Fact]
    public async Task Commit_FromTheCurrentGeneration_IsStoredWithLeaderEpochAndMetadata()
    {
        await using var harness = await StartAsync();
        var member = await harness.StableSingleAsync("o1");

        var response = await harness.CommitAsync("o1", member, 1, 7, (Orders, 0, 42), (Orders, 2, 7));

        Assert.Equal([(Orders, 0, ErrorCode.None), (Orders, 2, ErrorCode.None)], Codes(response));
        var fetched = await harness.Coordinator.OffsetFetchAsync(Context(7),
            new OffsetFetchRequest { GroupId = "o1", Topics = [new() { Name = Orders, PartitionIndexes = [0, 1, 2] }] }, CancellationToken.None);
        var partitions = Assert.Single(fetched.Topics).Partitions;
        Assert.Equal([(0, 42L, 7, "meta-42"), (1, -1L, -1, ""), (2, 7L, 7, "meta-7")],
            partitions.Select(p => (p.PartitionIndex, p.CommittedOffset, p.CommittedLeaderEpoch, p.Metadata)));
        Assert.All(partitions, p => Assert.Equal(0, p.ErrorCode));
    }

    [Fact]
    public async Task Commit_FromAStaleGeneration_IsIllegalGeneration()
    {
        await using var harness = await StartAsync();
        var member = await harness.StableSingleAsync("o2");

        var response = await harness.CommitAsync("o2", member, 0, 7, (Orders, 0, 1));

        Assert.Equal(ErrorCode.IllegalGeneration, Assert.Single(Codes(response)).Error);
        Assert.Empty(await harness.CommittedAsync("o2"));
    }

    [Fact]
    public async Task Commit_FromAnUnknownMember_IsUnknownMemberId()
    {
        await using var harness = await StartAsync();
        await harness.StableSingleAsync("o3");

        var response = await harness.CommitAsync("o3", "stranger", 1, 7, (Orders, 0, 1));
        var withoutGeneration = await harness.CommitAsync("o3", "", -1, 7, (Orders, 0, 1));

        Assert.Equal(ErrorCode.UnknownMemberId, Assert.Single(Codes(response)).Error);
        // Generation -1 without a member id is only for groups without members.
        Assert.Equal(ErrorCode.UnknownMemberId, Assert.Single(Codes(withoutGeneration)).Error);
    }

    [Fact]
    public async Task Commit_DuringCompletingRebalance_IsRebalanceInProgress()
    {
        await using var harness = await StartAsync();
        var (member, join) = await harness.StartJoinAsync("o4");
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(3000), "o4");
        await Completed(join);

        var response = await harness.CommitAsync("o4", member, 1, 7, (Orders, 0, 1));

        Assert.Equal(ErrorCode.RebalanceInProgress, Assert.Single(Codes(response)).Error);
    }

    [Fact]
    public async Task Commit_WithGenerationMinusOne_CreatesASimpleGroup()
    {
        await using var harness = await StartAsync();

        var response = await harness.CommitAsync("simple", "", -1, 2, (Orders, 1, 100), (Payments, 0, 5));

        Assert.All(Codes(response), c => Assert.Equal(ErrorCode.None, c.Error));
        Assert.Equal([(Orders, 1, 100L), (Payments, 0, 5L)], await harness.CommittedAsync("simple"));
        var described = await harness.DescribeAsync("simple");
        Assert.Equal("Empty", described.GroupState);
        Assert.Equal("", described.ProtocolType);
    }

    [Fact]
    public async Task Commit_ToAnUnknownGroupWithAGeneration_IsIllegalGenerationBeforeV9AndGroupIdNotFoundFrom9()
    {
        await using var harness = await StartAsync();

        var v8 = await harness.CommitAsync("ghost-group", "m", 3, 8, (Orders, 0, 1));
        var v9 = await harness.CommitAsync("ghost-group", "m", 3, 9, (Orders, 0, 1));

        Assert.Equal(ErrorCode.IllegalGeneration, Assert.Single(Codes(v8)).Error);
        Assert.Equal(ErrorCode.GroupIdNotFound, Assert.Single(Codes(v9)).Error);
    }

    [Fact]
    public async Task Commit_ToUnknownTopicsOrPartitions_AnswersUnknownTopicOrPartitionForThoseOnly()
    {
        await using var harness = await StartAsync();

        var response = await harness.CommitAsync("o5", "", -1, 7, (Orders, 0, 1), (Orders, 3, 1), ("no-such-topic", 0, 1), (Payments, -1, 1));

        Assert.Equal(
            [(Orders, 0, ErrorCode.None), (Orders, 3, ErrorCode.UnknownTopicOrPartition), ("no-such-topic", 0, ErrorCode.UnknownTopicOrPartition),
                (Payments, -1, ErrorCode.UnknownTopicOrPartition)],
            Codes(response));
        Assert.Equal([(Orders, 0, 1L)], await harness.CommittedAsync("o5"));
    }

    [Fact]
    public async Task Commit_OnlyToUnknownTopics_WritesNothing()
    {
        await using var harness = await StartAsync();
        var appends = harness.Log.AppendCount;

        var response = await harness.CommitAsync("o6", "", -1, 7, ("no-such-topic", 0, 1));

        Assert.Equal(ErrorCode.UnknownTopicOrPartition, Assert.Single(Codes(response)).Error);
        Assert.Equal(appends, harness.Log.AppendCount);
        Assert.Equal("Dead", (await harness.DescribeAsync("o6")).GroupState);
    }

    [Fact]
    public async Task Commit_WithMetadataLongerThanTheLimit_IsOffsetMetadataTooLargeForThatPartitionOnly()
    {
        await using var harness = await StartAsync(DefaultConfig with { OffsetMetadataMaxBytes = 10 });
        var request = CommitRequest("o7", "", -1, (Orders, 0, 1), (Orders, 1, 2));
        request.Topics[0].Partitions[0].CommittedMetadata = new string('x', 11);
        request.Topics[0].Partitions[1].CommittedMetadata = new string('x', 10);

        var response = await harness.Coordinator.OffsetCommitAsync(Context(7), request, CancellationToken.None);

        Assert.Equal([(Orders, 0, ErrorCode.OffsetMetadataTooLarge), (Orders, 1, ErrorCode.None)], Codes(response));
        Assert.Equal([(Orders, 1, 2L)], await harness.CommittedAsync("o7"));
    }

    [Fact]
    public async Task Commit_NullMetadata_IsStoredAsEmpty()
    {
        await using var harness = await StartAsync();
        var request = CommitRequest("o8", "", -1, (Orders, 0, 1));
        request.Topics[0].Partitions[0].CommittedMetadata = null;
        await harness.Coordinator.OffsetCommitAsync(Context(7), request, CancellationToken.None);

        var fetched = await harness.Coordinator.OffsetFetchAsync(Context(7), new OffsetFetchRequest { GroupId = "o8", Topics = null },
            CancellationToken.None);

        Assert.Equal("", fetched.Topics[0].Partitions[0].Metadata);
    }

    [Theory]
    [InlineData(ErrorCode.NotLeaderOrFollower, ErrorCode.NotCoordinator)]
    [InlineData(ErrorCode.KafkaStorageError, ErrorCode.NotCoordinator)]
    [InlineData(ErrorCode.UnknownTopicOrPartition, ErrorCode.CoordinatorNotAvailable)]
    [InlineData(ErrorCode.NotEnoughReplicas, ErrorCode.CoordinatorNotAvailable)]
    [InlineData(ErrorCode.RequestTimedOut, ErrorCode.CoordinatorNotAvailable)]
    [InlineData(ErrorCode.MessageTooLarge, ErrorCode.InvalidCommitOffsetSize)]
    public async Task Commit_WhoseAppendFails_AnswersTheMappedErrorAndKeepsThePreviousOffset(ErrorCode appendError, ErrorCode expected)
    {
        await using var harness = await StartAsync();
        await harness.CommitAsync("o9", "", -1, 7, (Orders, 0, 10));
        harness.Log.FailAppendsWith = appendError;

        var response = await harness.CommitAsync("o9", "", -1, 7, (Orders, 0, 20), (Orders, 1, 20));

        Assert.Equal([(Orders, 0, expected), (Orders, 1, expected)], Codes(response));
        harness.Log.FailAppendsWith = null;
        Assert.Equal([(Orders, 0, 10L)], await harness.CommittedAsync("o9"));
    }

    [Fact]
    public async Task Commit_WhoseAppendFails_DoesNotCreateTheSimpleGroup()
    {
        await using var harness = await StartAsync();
        harness.Log.FailAppendsWith = ErrorCode.KafkaStorageError;

        await harness.CommitAsync("o10", "", -1, 7, (Orders, 0, 10));

        Assert.Equal("Dead", (await harness.DescribeAsync("o10")).GroupState);
    }

    [Fact]
    public async Task Commit_LowerOffset_RegressesOnlyBecauseTheClientAskedSo()
    {
        await using var harness = await StartAsync();
        await harness.CommitAsync("o11", "", -1, 7, (Orders, 0, 50));
        await harness.CommitAsync("o11", "", -1, 7, (Orders, 0, 40));

        Assert.Equal([(Orders, 0, 40L)], await harness.CommittedAsync("o11"));
    }

    [Fact]
    public async Task Commit_IsWrittenAsKafkasOffsetCommitRecords()
    {
        await using var harness = await StartAsync();
        await harness.CommitAsync("o12", "", -1, 7, (Orders, 2, 99));

        var record = Assert.IsType<OffsetCommitRecord>(Assert.Single(harness.Log.Records(harness.Coordinator.PartitionFor("o12"))));

        Assert.Equal(("o12", Orders, 2), (record.GroupId, record.Topic, record.Partition));
        Assert.Equal(99, record.Offset!.CommittedOffset);
        Assert.Equal(7, record.Offset.LeaderEpoch);
        Assert.Equal(harness.Time.GetUtcNow().ToUnixTimeMilliseconds(), record.Offset.CommitTimestampMs);
        Assert.Null(record.Offset.ExpireTimestampMs);
    }

    [Fact]
    public async Task Commit_V2WithRetentionTime_StoresAnExpireTimestamp()
    {
        await using var harness = await StartAsync();
        var request = CommitRequest("o13", "", -1, (Orders, 0, 1));
        request.RetentionTimeMs = 60_000;

        await harness.Coordinator.OffsetCommitAsync(Context(2), request, CancellationToken.None);

        var record = Assert.IsType<OffsetCommitRecord>(Assert.Single(harness.Log.Records(harness.Coordinator.PartitionFor("o13"))));
        Assert.Equal(harness.Time.GetUtcNow().ToUnixTimeMilliseconds() + 60_000, record.Offset!.ExpireTimestampMs);
    }

    [Fact]
    public async Task Commit_FromAMember_KeepsItsSessionAlive()
    {
        await using var harness = await StartAsync();
        var member = await harness.StableSingleAsync("o14");

        for (var i = 0; i < 4; i++)
        {
            await harness.AdvanceAsync(TimeSpan.FromMilliseconds(SessionTimeoutMs - 1000), "o14");
            Assert.Equal(ErrorCode.None, Assert.Single(Codes(await harness.CommitAsync("o14", member, 1, 7, (Orders, 0, i)))).Error);
        }

        Assert.Equal("Stable", (await harness.DescribeAsync("o14")).GroupState);
    }
}
