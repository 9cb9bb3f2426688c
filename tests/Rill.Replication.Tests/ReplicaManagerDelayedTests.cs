using Rill.Common;

namespace Rill.Replication.Tests;

/// <summary>acks=-1 produces and long-poll fetches through the replica manager's purgatories, on a fake clock.</summary>
public sealed class ReplicaManagerDelayedTests : IAsyncDisposable
{
    private readonly ReplicaFixture _fixture = new();

    public ValueTask DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public async Task AppendAcksAll_LeaderAloneIsTheIsr_AnswersAtOnce()
    {
        _fixture.Publish(replicas: [0], isr: [0]);

        var appending = _fixture.AppendAsync(acks: -1, count: 3);

        Assert.True(appending.IsCompletedSuccessfully);
        var result = (await appending)[0];
        Assert.Equal((ErrorCode.None, 0L, 3), (result.ErrorCode, result.BaseOffset, result.RecordCount));
        Assert.Equal(0, _fixture.Replicas.ProducePurgatory.Delayed);
    }

    [Fact]
    public async Task AppendAcksAll_WaitsUntilTheFollowerHasFetchedPastTheRecords()
    {
        _fixture.Publish(replicas: [0, 1], isr: [0, 1]);

        var appending = _fixture.AppendAsync(acks: -1, count: 3).AsTask();
        Assert.False(appending.IsCompleted);
        Assert.Equal(1, _fixture.Replicas.ProducePurgatory.Delayed);

        (await _fixture.FetchAsync(offset: 2, minBytes: 0, maxWaitMs: 0, replicaId: 1)).Dispose();
        Assert.False(appending.IsCompleted);
        (await _fixture.FetchAsync(offset: 3, minBytes: 0, maxWaitMs: 0, replicaId: 1)).Dispose();

        var result = (await appending)[0];
        Assert.Equal((ErrorCode.None, 0L), (result.ErrorCode, result.BaseOffset));
        Assert.Equal(3L, _fixture.Partition.HighWatermark);
        Assert.Equal(0, _fixture.Replicas.ProducePurgatory.Delayed);
    }

    [Fact]
    public async Task AppendAcksAll_FollowerNeverFetches_TimesOutWithTheRecordsStored()
    {
        _fixture.Publish(replicas: [0, 1], isr: [0, 1]);
        var appending = _fixture.AppendAsync(acks: -1, count: 2, timeoutMs: 1000).AsTask();

        _fixture.Time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(appending.IsCompleted);
        _fixture.Time.Advance(TimeSpan.FromMilliseconds(1));

        var result = (await appending)[0];
        Assert.Equal((ErrorCode.RequestTimedOut, 0L), (result.ErrorCode, result.BaseOffset));
        Assert.Equal((2L, 0L), (_fixture.Partition.LogEndOffset, _fixture.Partition.HighWatermark));
    }

    [Fact]
    public async Task AppendAcksAll_IsrBelowMinInSyncReplicas_NotEnoughReplicas()
    {
        _fixture.Publish(replicas: [0], isr: [0], minInSyncReplicas: 2);

        var result = (await _fixture.AppendAsync(acks: -1, count: 1))[0];

        Assert.Equal((ErrorCode.NotEnoughReplicas, -1L), (result.ErrorCode, result.BaseOffset));
        Assert.Equal(0L, _fixture.Partition.LogEndOffset);
    }

    [Fact]
    public async Task AppendAcksAll_IsrShrinksBelowMinInSyncReplicasWhileWaiting_NotEnoughReplicasAfterAppend()
    {
        _fixture.Publish(replicas: [0, 1, 2], isr: [0, 1, 2], minInSyncReplicas: 2);
        var appending = _fixture.AppendAsync(acks: -1, count: 1).AsTask();

        // The controller drops both followers from the ISR: the leader alone is in sync, its high watermark passes the
        // records, but fewer replicas than min.insync.replicas have them.
        _fixture.Publish(replicas: [0, 1, 2], isr: [0], minInSyncReplicas: 2);
        _fixture.Partition.MaybeIncrementLeaderHighWatermark();
        _fixture.Replicas.ProducePurgatory.CheckAndComplete(ReplicaFixture.Partition0);

        Assert.Equal(ErrorCode.NotEnoughReplicasAfterAppend, (await appending)[0].ErrorCode);
    }

    [Fact]
    public async Task AppendAcksAll_LeadershipMovesWhileWaiting_NotLeaderOrFollower()
    {
        _fixture.Publish(replicas: [0, 1], isr: [0, 1]);
        var appending = _fixture.AppendAsync(acks: -1, count: 1).AsTask();

        _fixture.Publish(replicas: [0, 1], isr: [1], leader: 1, leaderEpoch: 1);

        Assert.Equal(ErrorCode.NotLeaderOrFollower, (await appending)[0].ErrorCode);
    }

    [Fact]
    public async Task Fetch_LongPoll_IsAnsweredByTheNextAppend()
    {
        _fixture.Publish(replicas: [0], isr: [0]);
        var fetching = _fixture.FetchAsync(offset: 0, minBytes: 1, maxWaitMs: 30_000).AsTask();
        Assert.False(fetching.IsCompleted);
        Assert.Equal(1, _fixture.Replicas.FetchPurgatory.Delayed);

        await _fixture.AppendAsync(acks: 1, count: 2);

        using var result = await fetching;
        var partition = result.Partitions[0];
        Assert.Equal((ErrorCode.None, 2L, 2), (partition.ErrorCode, partition.HighWatermark, partition.RecordCount));
        Assert.True(partition.Records.Length > 0);
        Assert.Equal(0, _fixture.Replicas.FetchPurgatory.Delayed);
    }

    [Fact]
    public async Task Fetch_LongPoll_AnswersEmptyAtMaxWait()
    {
        _fixture.Publish(replicas: [0], isr: [0]);
        var fetching = _fixture.FetchAsync(offset: 0, minBytes: 1, maxWaitMs: 500).AsTask();

        _fixture.Time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(fetching.IsCompleted);
        _fixture.Time.Advance(TimeSpan.FromMilliseconds(1));

        using var result = await fetching;
        Assert.Equal((ErrorCode.None, 0, 0L), (result.Partitions[0].ErrorCode, result.Partitions[0].Records.Length, result.Partitions[0].HighWatermark));
    }

    [Fact]
    public async Task Fetch_ConsumerLongPoll_WaitsForTheHighWatermarkNotTheLogEnd()
    {
        _fixture.Publish(replicas: [0, 1], isr: [0, 1]);
        var fetching = _fixture.FetchAsync(offset: 0, minBytes: 1, maxWaitMs: 30_000).AsTask();

        await _fixture.AppendAsync(acks: 1, count: 2);
        Assert.False(fetching.IsCompleted);
        (await _fixture.FetchAsync(offset: 2, minBytes: 0, maxWaitMs: 0, replicaId: 1)).Dispose();

        using var result = await fetching;
        Assert.Equal((2L, 2), (result.Partitions[0].HighWatermark, result.Partitions[0].RecordCount));
    }

    [Fact]
    public async Task Fetch_FollowerReadsToTheLogEnd()
    {
        _fixture.Publish(replicas: [0, 1], isr: [0, 1]);
        await _fixture.AppendAsync(acks: 1, count: 2);

        using var result = await _fixture.FetchAsync(offset: 0, minBytes: 1, maxWaitMs: 30_000, replicaId: 1);

        Assert.Equal((0L, 2), (result.Partitions[0].HighWatermark, result.Partitions[0].RecordCount));
    }

    [Fact]
    public async Task Fetch_PartitionRemovedWhileWaiting_AnswersUnknownTopicOrPartition()
    {
        _fixture.Publish(replicas: [0], isr: [0]);
        var fetching = _fixture.FetchAsync(offset: 0, minBytes: 1, maxWaitMs: 30_000).AsTask();

        _fixture.RemoveTopic();

        using var result = await fetching;
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, result.Partitions[0].ErrorCode);
        Assert.Equal(0, _fixture.Replicas.FetchPurgatory.Delayed);
    }

    [Fact]
    public async Task Fetch_LeaderEpochChangesWhileWaiting_AnswersFencedLeaderEpoch()
    {
        _fixture.Publish(replicas: [0], isr: [0], leaderEpoch: 3);
        var fetching = _fixture.Replicas.FetchAsync(
            _fixture.Image,
            new FetchParams(-1, 30_000, 1, 1024, FetchIsolation.HighWatermark),
            [new FetchPartitionRequest(ReplicaFixture.Partition0, 0, 3, 1024)],
            TestContext.Current.CancellationToken).AsTask();

        _fixture.Publish(replicas: [0], isr: [0], leaderEpoch: 4);

        using var result = await fetching;
        Assert.Equal(ErrorCode.FencedLeaderEpoch, result.Partitions[0].ErrorCode);
    }

    [Fact]
    public async Task Fetch_CancelledWhileWaiting_IsCancelled()
    {
        _fixture.Publish(replicas: [0], isr: [0]);
        using var cancellation = new CancellationTokenSource();
        var fetching = _fixture.FetchUntilCancelledAsync(offset: 0, minBytes: 1, maxWaitMs: 30_000, replicaId: -1, cancellation.Token).AsTask();

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fetching);
        Assert.Equal(0, _fixture.Replicas.FetchPurgatory.Delayed);
    }
}
