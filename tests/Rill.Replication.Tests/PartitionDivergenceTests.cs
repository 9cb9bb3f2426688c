using Rill.Common;

namespace Rill.Replication.Tests;

/// <summary>The leader's checks of a follower's fetch: the diverging epoch (Kafka's readRecords), unknown epochs, unknown replicas.</summary>
public sealed class PartitionDivergenceTests : IAsyncDisposable
{
    private readonly ReplicaFixture _fixture = new();

    public ValueTask DisposeAsync() => _fixture.DisposeAsync();

    [Theory]
    [InlineData(1, 5, ErrorCode.None, 0, 3L)]
    [InlineData(0, 4, ErrorCode.None, 0, 3L)]
    [InlineData(0, 3, ErrorCode.None, -1, -1L)]
    [InlineData(2, 5, ErrorCode.None, -1, -1L)]
    [InlineData(2, 6, ErrorCode.None, 2, 5L)]
    [InlineData(3, 5, ErrorCode.OffsetOutOfRange, -1, -1L)]
    public async Task FollowerFetch_AgainstTheLeadersEpochs_DivergesWhereTheLeadersEpochEnds(
        int lastFetchedEpoch, long fetchOffset, ErrorCode error, int divergingEpoch, long divergingEndOffset)
    {
        // Epoch 0 holds offsets 0-2; epoch 2 (this broker led again) starts at 3 and holds 3-4.
        _fixture.Publish(replicas: [0, 1], isr: [0, 1], leaderEpoch: 0);
        await _fixture.AppendAsync(acks: 1, count: 3);
        _fixture.Publish(replicas: [0, 1], isr: [0, 1], leaderEpoch: 2);
        await _fixture.AppendAsync(acks: 1, count: 2);

        using var read = await FetchAsync(replicaId: 1, fetchOffset, currentLeaderEpoch: 2, lastFetchedEpoch);

        var data = Assert.Single(read.Partitions);
        Assert.Equal(error, data.ErrorCode);
        Assert.Equal(divergingEpoch < 0 ? null : new DivergingEpoch(divergingEpoch, divergingEndOffset), data.DivergingEpoch);
        if (data.DivergingEpoch is not null)
        {
            // A diverging answer carries no records and records no position: the follower truncates first.
            Assert.True(data.Records.IsEmpty);
            Assert.Equal(ReplicaState.UnknownOffset, _fixture.Partition.FollowerState(1)!.Value.LogEndOffset);
        }
    }

    [Theory]
    [InlineData(7, 0, ErrorCode.UnknownLeaderEpoch)]
    [InlineData(7, -1, ErrorCode.NotLeaderOrFollower)]
    [InlineData(1, 1, ErrorCode.UnknownLeaderEpoch)]
    public async Task FollowerFetch_NotAReplicaOrAnUnknownEpoch_IsRefused(int replicaId, int currentLeaderEpoch, ErrorCode expected)
    {
        _fixture.Publish(replicas: [0, 1], isr: [0, 1], leaderEpoch: 0);

        using var read = await FetchAsync(replicaId, 0, currentLeaderEpoch, lastFetchedEpoch: -1);

        Assert.Equal(expected, Assert.Single(read.Partitions).ErrorCode);
    }

    [Fact]
    public async Task OffsetForLeaderEpoch_AsFollower_IsNotLeaderOrFollower_AfterItsEpochCheck()
    {
        _fixture.Publish(replicas: [0, 1], isr: [0, 1], leaderEpoch: 0);
        await _fixture.AppendAsync(acks: 1, count: 3);
        _fixture.Publish(replicas: [0, 1], isr: [0, 1], leader: 1, leaderEpoch: 1);
        var replicas = _fixture.Replicas;

        Assert.Equal(new OffsetForLeaderEpochResult(ErrorCode.NotLeaderOrFollower, -1, -1),
            replicas.LastOffsetForLeaderEpoch(_fixture.Image, ReplicaFixture.Partition0, 1, 0));
        Assert.Equal(new OffsetForLeaderEpochResult(ErrorCode.FencedLeaderEpoch, -1, -1),
            replicas.LastOffsetForLeaderEpoch(_fixture.Image, ReplicaFixture.Partition0, 0, 0));
        Assert.Equal(new OffsetForLeaderEpochResult(ErrorCode.UnknownTopicOrPartition, -1, -1),
            replicas.LastOffsetForLeaderEpoch(_fixture.Image, new TopicPartition("nope", 0), -1, 0));
    }

    private ValueTask<FetchResult> FetchAsync(int replicaId, long fetchOffset, int currentLeaderEpoch, int lastFetchedEpoch) =>
        _fixture.Replicas.FetchAsync(
            _fixture.Image,
            new FetchParams(replicaId, 0, 1, 1 << 20, FetchIsolation.LogEnd),
            [new FetchPartitionRequest(ReplicaFixture.Partition0, fetchOffset, currentLeaderEpoch, 1 << 20) { LastFetchedEpoch = lastFetchedEpoch }],
            TestContext.Current.CancellationToken);
}
