using Rill.Common;
using Rill.Storage;

namespace Rill.Replication.Tests;

public sealed class PartitionTests : IAsyncDisposable
{
    private readonly ReplicaFixture _fixture = new();

    public ValueTask DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public void Append_LeaderAloneIsTheIsr_HighWatermarkFollowsLogEndOffset()
    {
        _fixture.Publish(replicas: [0], isr: [0]);

        var appended = Append(acks: 1, count: 3, out var increased);

        Assert.Equal((ErrorCode.None, 0L), (appended.ErrorCode, appended.FirstOffset));
        Assert.True(increased);
        Assert.Equal((3L, 3L), (_fixture.Partition.LogEndOffset, _fixture.Partition.HighWatermark));
    }

    [Fact]
    public void HighWatermark_ThreeInSyncReplicas_IsTheSmallestFollowerFetchOffset()
    {
        _fixture.Publish(replicas: [0, 1, 2], isr: [0, 1, 2]);
        Append(acks: 1, count: 5, out var increasedByAppend);
        var partition = _fixture.Partition;
        Assert.False(increasedByAppend);
        Assert.Equal((5L, 0L), (partition.LogEndOffset, partition.HighWatermark));

        Assert.True(_fixture.FollowerFetched(1, 5, out var increased));
        Assert.False(increased);
        Assert.Equal(0L, partition.HighWatermark);

        Assert.True(_fixture.FollowerFetched(2, 3, out increased));
        Assert.True(increased);
        Assert.Equal(3L, partition.HighWatermark);

        Assert.True(_fixture.FollowerFetched(2, 5, out increased));
        Assert.True(increased);
        Assert.Equal(5L, partition.HighWatermark);
    }

    [Fact]
    public void HighWatermark_FollowerOutsideTheIsr_DoesNotHoldItBack()
    {
        _fixture.Publish(replicas: [0, 1, 2], isr: [0, 1]);
        Append(acks: 1, count: 4, out _);

        Assert.True(_fixture.FollowerFetched(1, 4, out var increased));

        Assert.True(increased);
        Assert.Equal(4L, _fixture.Partition.HighWatermark);
    }

    [Fact]
    public void HighWatermark_FollowerFetchesAnOlderOffset_NeverMovesBack()
    {
        _fixture.Publish(replicas: [0, 1], isr: [0, 1]);
        Append(acks: 1, count: 4, out _);
        _fixture.FollowerFetched(1, 4, out _);

        Assert.True(_fixture.FollowerFetched(1, 2, out var increased));

        Assert.False(increased);
        Assert.Equal(4L, _fixture.Partition.HighWatermark);
    }

    [Fact]
    public void UpdateFollowerFetchState_NotAReplica_IsRefused()
    {
        _fixture.Publish(replicas: [0, 1], isr: [0, 1]);

        Assert.False(_fixture.FollowerFetched(7, 0, out var increased));
        Assert.False(increased);
    }

    [Fact]
    public void Append_AcksAllWithIsrBelowMinInSyncReplicas_IsRefusedAndStoresNothing()
    {
        _fixture.Publish(replicas: [0], isr: [0], minInSyncReplicas: 2);

        var appended = Append(acks: -1, count: 2, out var increased);

        Assert.Equal(ErrorCode.NotEnoughReplicas, appended.ErrorCode);
        Assert.Equal("The size of the current ISR [0] is insufficient to satisfy the min.isr requirement of 2 for partition orders-0", appended.ErrorMessage);
        Assert.False(increased);
        Assert.Equal(0L, _fixture.Partition.LogEndOffset);
    }

    [Fact]
    public void Append_AcksOneWithIsrBelowMinInSyncReplicas_IsStored()
    {
        _fixture.Publish(replicas: [0], isr: [0], minInSyncReplicas: 2);

        Assert.Equal(ErrorCode.None, Append(acks: 1, count: 2, out _).ErrorCode);
        Assert.Equal(2L, _fixture.Partition.HighWatermark);
    }

    [Fact]
    public void CheckEnoughReplicasReachOffset_FollowsTheHighWatermarkAndTheIsrSize()
    {
        _fixture.Publish(replicas: [0, 1], isr: [0, 1], minInSyncReplicas: 2);
        Append(acks: -1, count: 3, out _);
        var partition = _fixture.Partition;

        Assert.Equal((false, ErrorCode.None), partition.CheckEnoughReplicasReachOffset(3));
        _fixture.FollowerFetched(1, 3, out _);
        Assert.Equal((true, ErrorCode.None), partition.CheckEnoughReplicasReachOffset(3));

        _fixture.Publish(replicas: [0, 1], isr: [0], minInSyncReplicas: 2);
        Assert.Equal((true, ErrorCode.NotEnoughReplicasAfterAppend), _fixture.Partition.CheckEnoughReplicasReachOffset(3));

        _fixture.Publish(replicas: [0, 1], isr: [1], leader: 1, leaderEpoch: 1, minInSyncReplicas: 2);
        Assert.Equal((true, ErrorCode.NotLeaderOrFollower), _fixture.Partition.CheckEnoughReplicasReachOffset(3));
    }

    [Theory]
    [InlineData(-1, ErrorCode.None)]
    [InlineData(5, ErrorCode.None)]
    [InlineData(4, ErrorCode.FencedLeaderEpoch)]
    [InlineData(6, ErrorCode.UnknownLeaderEpoch)]
    public void CheckLeaderEpoch_ComparesTheRequestsEpochWithOurs(int requestEpoch, ErrorCode expected)
    {
        _fixture.Publish(replicas: [0], isr: [0], leaderEpoch: 5);

        Assert.Equal(expected, _fixture.Partition.CheckLeaderEpoch(requestEpoch));
    }

    [Fact]
    public void Update_NewLeaderEpoch_ForgetsFollowerPositions()
    {
        _fixture.Publish(replicas: [0, 1], isr: [0, 1]);
        Append(acks: 1, count: 2, out _);
        _fixture.FollowerFetched(1, 2, out _);
        Append(acks: 1, count: 2, out _);

        _fixture.Publish(replicas: [0, 1], isr: [0, 1], leaderEpoch: 1);
        Append(acks: 1, count: 1, out var increased);

        Assert.False(increased);
        Assert.Equal((5L, 2L), (_fixture.Partition.LogEndOffset, _fixture.Partition.HighWatermark));
    }

    private AppendResult Append(short acks, int count, out bool highWatermarkIncreased) =>
        _fixture.Partition.AppendRecordsToLeader(_fixture.Batch(count), AppendOrigin.Client, acks, out highWatermarkIncreased);
}
