using Rill.Client;
using Rill.Common;
using Rill.Protocol.Messages;

namespace Rill.Replication.Tests.Cluster;

/// <summary>
/// Brokers replicating one partition over the Kafka protocol in one process: followers fetching from the leader,
/// the high watermark and acks=-1 following them, truncation after a leader change, ISR shrink and expansion through
/// the controller's AlterPartition, and a follower behind the leader's log start.
/// </summary>
public sealed class ReplicationTests
{
    private const int LagTimeMaxMs = 30_000;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Follower_CatchesUp_WithTheLeadersOffsetsAndBytes()
    {
        await using var cluster = await ReplicationCluster.StartAsync(2);
        cluster.Publish(replicas: [1, 2], isr: [1, 2], leader: 1, leaderEpoch: 0);

        foreach (var (prefix, count) in new[] { ("a", 3), ("b", 2), ("c", 4) })
        {
            var appended = Assert.Single(await cluster.ProduceAsync(leader: 1, acks: 1, prefix, count));
            Assert.Equal(ErrorCode.None, appended.ErrorCode);
        }

        var follower = cluster.PartitionOn(2);
        await cluster.UntilAsync(() => follower.LogEndOffset == 9 && follower.HighWatermark == 9, "the follower holds offsets 0-8 and knows they are committed");

        Assert.Equal(cluster.LogBytes(1), cluster.LogBytes(2));
        Assert.Equal(
            [
                (0, 0, "a-v0"), (1, 0, "a-v1"), (2, 0, "a-v2"), (3, 0, "b-v0"), (4, 0, "b-v1"),
                (5, 0, "c-v0"), (6, 0, "c-v1"), (7, 0, "c-v2"), (8, 0, "c-v3"),
            ],
            cluster.Records(2));
        Assert.Equal(9, cluster.PartitionOn(1).HighWatermark);
        Assert.Empty(cluster.AlterPartitions.Requests);
    }

    [Fact]
    public async Task ProduceAcksAll_CompletesOnceTheFollowerFetchedTheRecords()
    {
        await using var cluster = await ReplicationCluster.StartAsync(2);
        cluster.Publish(replicas: [1, 2], isr: [1, 2], leader: 1, leaderEpoch: 0, minInSyncReplicas: 2);

        var produced = cluster.StartProduce(leader: 1, acks: -1, "a", 3);
        var appended = Assert.Single(await produced.WaitAsync(TimeSpan.FromSeconds(30), Cancellation));

        Assert.Equal((ErrorCode.None, 0L), (appended.ErrorCode, appended.BaseOffset));
        Assert.Equal(3, cluster.PartitionOn(1).HighWatermark);
        Assert.True(cluster.PartitionOn(2).LogEndOffset >= 3);
    }

    [Fact]
    public async Task ProduceAcksAll_FollowerCutOff_TimesOutWithTheRecordsStoredOnTheLeaderOnly()
    {
        await using var cluster = await ReplicationCluster.StartAsync(2);
        cluster.Publish(replicas: [1, 2], isr: [1, 2], leader: 1, leaderEpoch: 0);
        Assert.Equal(ErrorCode.None, Assert.Single(await cluster.ProduceAsync(leader: 1, acks: -1, "a", 1)).ErrorCode);
        cluster.Network.Cut(ReplicaBroker.HostOf(1), ReplicaBroker.HostOf(2));

        var produced = cluster.StartProduce(leader: 1, acks: -1, "b", 2, timeoutMs: 5_000);
        Assert.False(produced.IsCompleted);
        cluster.Advance(TimeSpan.FromMilliseconds(5_000), TimeSpan.FromMilliseconds(500));
        var appended = Assert.Single(await produced.WaitAsync(TimeSpan.FromSeconds(30), Cancellation));

        Assert.Equal((ErrorCode.RequestTimedOut, 1L), (appended.ErrorCode, appended.BaseOffset));
        Assert.Equal((3L, 1L), (cluster.PartitionOn(1).LogEndOffset, cluster.PartitionOn(1).HighWatermark));
        Assert.Equal(1, cluster.PartitionOn(2).LogEndOffset);
    }

    [Fact]
    public async Task LeaderChange_WithDivergentTails_TheOldLeaderTruncatesExactlyTheRecordsTheNewLeaderLacks()
    {
        await using var cluster = await ReplicationCluster.StartAsync(2);
        cluster.Publish(replicas: [1, 2], isr: [1, 2], leader: 1, leaderEpoch: 0);
        Assert.Equal(ErrorCode.None, Assert.Single(await cluster.ProduceAsync(leader: 1, acks: -1, "a", 3)).ErrorCode);

        // Broker 1 takes two records the follower never gets, then loses the leadership to it.
        cluster.Network.Cut(ReplicaBroker.HostOf(1), ReplicaBroker.HostOf(2));
        Assert.Equal((ErrorCode.None, 3L), Single(await cluster.ProduceAsync(leader: 1, acks: 1, "lost", 2)));
        cluster.Publish(replicas: [1, 2], isr: [2], leader: 2, leaderEpoch: 1);
        Assert.Equal((ErrorCode.None, 3L), Single(await cluster.ProduceAsync(leader: 2, acks: 1, "c", 3)));
        Assert.Equal(5, cluster.PartitionOn(1).LogEndOffset);

        cluster.Network.Heal(ReplicaBroker.HostOf(1), ReplicaBroker.HostOf(2));
        var oldLeader = cluster.PartitionOn(1);
        await cluster.UntilAsync(() => oldLeader.LogEndOffset == 6 && oldLeader.HighWatermark == 6, "the old leader truncated and caught up");

        List<(long, int, string)> expected = [(0, 0, "a-v0"), (1, 0, "a-v1"), (2, 0, "a-v2"), (3, 1, "c-v0"), (4, 1, "c-v1"), (5, 1, "c-v2")];
        Assert.Equal(expected, cluster.Records(2));
        Assert.Equal(expected, cluster.Records(1));
        Assert.Equal(cluster.LogBytes(2), cluster.LogBytes(1));

        // Caught up within the new epoch, it is proposed back into the ISR.
        await cluster.UntilAsync(() => cluster.AlterPartitions.Requests.Count == 1, "the new leader proposed the old one back into the ISR");
        var expansion = Assert.Single(Assert.Single(Assert.Single(cluster.AlterPartitions.Requests).Topics).Partitions);
        Assert.Equal([(2, 102L), (1, 101L)], expansion.NewIsrWithEpochs.Select(b => (b.BrokerId, b.BrokerEpoch)));
        Assert.Equal((1, 1), (expansion.LeaderEpoch, expansion.PartitionEpoch));
    }

    [Fact]
    public async Task OffsetForLeaderEpoch_AfterALeaderChange_AnswersWhereEachEpochEnds()
    {
        await using var cluster = await ReplicationCluster.StartAsync(2);
        cluster.Publish(replicas: [1, 2], isr: [1, 2], leader: 1, leaderEpoch: 0);
        Assert.Equal(ErrorCode.None, Assert.Single(await cluster.ProduceAsync(leader: 1, acks: -1, "a", 3)).ErrorCode);
        cluster.Publish(replicas: [1, 2], isr: [1, 2], leader: 2, leaderEpoch: 3);
        Assert.Equal((ErrorCode.None, 3L), Single(await cluster.ProduceAsync(leader: 2, acks: 1, "b", 2)));

        await using var client = await KafkaConnection.ConnectAsync(
            "127.0.0.1", cluster.Broker(2).Port, new KafkaConnectionOptions { Transport = cluster.Network.TransportFor("client") }, Cancellation);
        var answers = await OffsetForLeaderEpochAsync(client, (3, 0), (3, 1), (3, 2), (3, 3), (3, 4), (2, 3), (4, 3), (-1, 0));

        Assert.Equal(
            [
                (ErrorCode.None, 0, 3L),
                (ErrorCode.None, 0, 3L),
                (ErrorCode.None, 0, 3L),
                (ErrorCode.None, 3, 5L),
                (ErrorCode.None, -1, -1L),
                (ErrorCode.FencedLeaderEpoch, -1, -1L),
                (ErrorCode.UnknownLeaderEpoch, -1, -1L),
                (ErrorCode.None, 0, 3L),
            ],
            answers);

        await using var toFollower = await KafkaConnection.ConnectAsync(
            "127.0.0.1", cluster.Broker(1).Port, new KafkaConnectionOptions { Transport = cluster.Network.TransportFor("client") }, Cancellation);
        Assert.Equal([(ErrorCode.NotLeaderOrFollower, -1, -1L), (ErrorCode.FencedLeaderEpoch, -1, -1L)], await OffsetForLeaderEpochAsync(toFollower, (3, 0), (2, 0)));
    }

    [Fact]
    public async Task Follower_ThatStopsFetching_LeavesTheIsrAfterTheLagTime_AndRejoinsOnceCaughtUp()
    {
        await using var cluster = await ReplicationCluster.StartAsync(2);
        cluster.Publish(replicas: [1, 2], isr: [1, 2], leader: 1, leaderEpoch: 0, partitionEpoch: 4);
        Assert.Equal(ErrorCode.None, Assert.Single(await cluster.ProduceAsync(leader: 1, acks: -1, "a", 2)).ErrorCode);
        var leader = cluster.PartitionOn(1);
        await cluster.UntilAsync(() => leader.FollowerState(2)?.LogEndOffset == 2, "the follower fetched from the leader's log end");

        cluster.Network.Cut(ReplicaBroker.HostOf(1), ReplicaBroker.HostOf(2));
        var cutAtMs = cluster.NowMs;
        Assert.Equal((ErrorCode.None, 2L), Single(await cluster.ProduceAsync(leader: 1, acks: 1, "b", 3)));

        cluster.Advance(TimeSpan.FromMilliseconds(LagTimeMaxMs - 1_000), TimeSpan.FromMilliseconds(500));
        Assert.Empty(cluster.AlterPartitions.Requests);
        Assert.Equal([1, 2], leader.Isr);

        cluster.Advance(TimeSpan.FromMilliseconds(LagTimeMaxMs / 2 + 1_000), TimeSpan.FromMilliseconds(500));
        await cluster.UntilAsync(() => cluster.AlterPartitions.Requests.Count == 1, "the leader proposed to drop the follower");
        var shrink = Assert.Single(cluster.AlterPartitions.Requests);
        Assert.Equal((1, 101L), (shrink.BrokerId, shrink.BrokerEpoch));
        var topic = Assert.Single(shrink.Topics);
        Assert.Equal(cluster.TopicId, topic.TopicId);
        var partition = Assert.Single(topic.Partitions);
        Assert.Equal((0, 0, 4, (sbyte)0), (partition.PartitionIndex, partition.LeaderEpoch, partition.PartitionEpoch, partition.LeaderRecoveryState));
        Assert.Equal([(1, 101L)], partition.NewIsrWithEpochs.Select(b => (b.BrokerId, b.BrokerEpoch)));
        Assert.True(cluster.NowMs - cutAtMs > LagTimeMaxMs);

        // The controller's answer is applied at once: the leader alone is the ISR, and the records it holds are committed.
        await cluster.UntilAsync(() => leader.Isr.SequenceEqual([1]), "the shrink is applied");
        Assert.Equal((5, 5L), (leader.State.PartitionEpoch, leader.HighWatermark));
        cluster.Publish(replicas: [1, 2], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 5);

        cluster.Network.Heal(ReplicaBroker.HostOf(1), ReplicaBroker.HostOf(2));
        var follower = cluster.PartitionOn(2);
        await cluster.UntilAsync(() => cluster.AlterPartitions.Requests.Count == 2, "the leader proposed the follower back");
        Assert.Equal(5, follower.LogEndOffset);
        var expansion = Assert.Single(Assert.Single(cluster.AlterPartitions.Requests.Last().Topics).Partitions);
        Assert.Equal((0, 5), (expansion.LeaderEpoch, expansion.PartitionEpoch));
        Assert.Equal([(1, 101L), (2, 102L)], expansion.NewIsrWithEpochs.Select(b => (b.BrokerId, b.BrokerEpoch)));
        await cluster.UntilAsync(() => leader.Isr.SequenceEqual([1, 2]), "the expansion is applied");
        Assert.Equal(cluster.LogBytes(1), cluster.LogBytes(2));
    }

    [Fact]
    public async Task IsrChange_RefusedAsStale_StaysPendingUntilTheMetadataMovesOn()
    {
        await using var cluster = await ReplicationCluster.StartAsync(2);
        cluster.AlterPartitions.Answer = request => new AlterPartitionResponse
        {
            Topics =
            [
                new AlterPartitionResponse.TopicData
                {
                    TopicId = request.Topics[0].TopicId,
                    Partitions = [new AlterPartitionResponse.PartitionData { PartitionIndex = 0, ErrorCode = (short)ErrorCode.InvalidUpdateVersion }],
                },
            ],
        };
        cluster.Publish(replicas: [1, 2], isr: [1, 2], leader: 1, leaderEpoch: 0);
        cluster.Network.Cut(ReplicaBroker.HostOf(1), ReplicaBroker.HostOf(2));
        Assert.Equal(ErrorCode.None, Assert.Single(await cluster.ProduceAsync(leader: 1, acks: 1, "a", 1)).ErrorCode);

        cluster.Advance(TimeSpan.FromMilliseconds(LagTimeMaxMs * 3), TimeSpan.FromMilliseconds(1_000));
        await cluster.UntilAsync(() => cluster.AlterPartitions.Requests.Count >= 1, "the leader proposed a shrink");
        var leader = cluster.PartitionOn(1);

        // Not retried, not applied: the ISR stays, and the high watermark waits for the follower.
        Assert.Single(cluster.AlterPartitions.Requests);
        Assert.True(leader.State.IsInflight);
        Assert.Equal([1, 2], leader.Isr);
        Assert.Equal(0, leader.HighWatermark);

        cluster.Publish(replicas: [1, 2], isr: [1], leader: 1, leaderEpoch: 0);
        Assert.False(leader.State.IsInflight);
        Assert.Equal(1, leader.HighWatermark);
    }

    [Fact]
    public async Task Follower_BehindTheLeadersLogStart_StartsOverAtIt()
    {
        await using var cluster = await ReplicationCluster.StartAsync(2);
        cluster.Network.Cut(ReplicaBroker.HostOf(1), ReplicaBroker.HostOf(2));
        cluster.Publish(replicas: [1, 2], isr: [1], leader: 1, leaderEpoch: 0);
        Assert.Equal((ErrorCode.None, 0L), Single(await cluster.ProduceAsync(leader: 1, acks: 1, "a", 5)));
        Assert.Equal((ErrorCode.None, 5L), Single(await cluster.ProduceAsync(leader: 1, acks: 1, "b", 2)));
        var deleted = cluster.Broker(1).Replicas.DeleteRecords(cluster.Image, ReplicationCluster.Partition0, 5);
        Assert.Equal((ErrorCode.None, 5L), (deleted.ErrorCode, deleted.LowWatermark));

        cluster.Network.Heal(ReplicaBroker.HostOf(1), ReplicaBroker.HostOf(2));
        var follower = cluster.PartitionOn(2);
        await cluster.UntilAsync(() => follower.LogEndOffset == 7, "the follower started over at the leader's log start and caught up");

        Assert.Equal(5, follower.LogStartOffset);
        Assert.Equal([(5, 0, "b-v0"), (6, 0, "b-v1")], cluster.Records(2));
    }

    [Fact]
    public async Task BecomingLeader_StopsFetching_AndFollowingAnotherLeaderMovesTheFetcher()
    {
        await using var cluster = await ReplicationCluster.StartAsync(3);
        cluster.Publish(replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1, leaderEpoch: 0);
        Assert.Equal(ErrorCode.None, Assert.Single(await cluster.ProduceAsync(leader: 1, acks: -1, "a", 2)).ErrorCode);
        Assert.Equal(1, cluster.Broker(2).Replicas.FetchPosition(ReplicationCluster.Partition0)?.Leader.BrokerId);
        Assert.Empty(cluster.Broker(1).Replicas.FetchedLeaders);

        cluster.Publish(replicas: [1, 2, 3], isr: [1, 2, 3], leader: 2, leaderEpoch: 1);

        Assert.Null(cluster.Broker(2).Replicas.FetchPosition(ReplicationCluster.Partition0));
        Assert.Equal(2, cluster.Broker(1).Replicas.FetchPosition(ReplicationCluster.Partition0)?.Leader.BrokerId);
        Assert.Equal(2, cluster.Broker(3).Replicas.FetchPosition(ReplicationCluster.Partition0)?.Leader.BrokerId);
        Assert.Equal(ErrorCode.NotLeaderOrFollower, Assert.Single(await cluster.ProduceAsync(leader: 1, acks: 1, "x", 1)).ErrorCode);
        Assert.Equal(ErrorCode.None, Assert.Single(await cluster.ProduceAsync(leader: 2, acks: -1, "b", 1)).ErrorCode);
        await cluster.UntilAsync(() => cluster.PartitionOn(3).LogEndOffset == 3 && cluster.PartitionOn(1).LogEndOffset == 3, "both followers fetched from the new leader");
        Assert.Equal(cluster.LogBytes(2), cluster.LogBytes(3));
    }

    [Fact]
    public async Task RestartedLeader_ServesWhatWasCommitted_BeforeItsFollowerFetches()
    {
        await using var cluster = await ReplicationCluster.StartAsync(2);
        cluster.Publish(replicas: [1, 2], isr: [1, 2], leader: 1, leaderEpoch: 0);
        Assert.Equal(ErrorCode.None, Assert.Single(await cluster.ProduceAsync(leader: 1, acks: -1, "a", 5)).ErrorCode);
        await cluster.StopBrokerAsync(2);
        await cluster.StopBrokerAsync(1);

        var checkpoint = await File.ReadAllTextAsync(Path.Combine(cluster.Broker1Dir, ReplicaManager.HighWatermarkCheckpointFileName), Cancellation);
        Assert.Equal($"0\n1\n{ReplicationCluster.Topic} 0 5\n", checkpoint);

        await cluster.StartBrokerAsync(1);
        cluster.Publish(replicas: [1, 2], isr: [1, 2], leader: 1, leaderEpoch: 1);

        // Broker 2 is down: without the checkpoint the high watermark would be 0 until it came back and fetched.
        Assert.Equal((5L, 5L), (cluster.PartitionOn(1).LogEndOffset, cluster.PartitionOn(1).HighWatermark));
    }

    [Fact]
    public async Task NonLeader_AnswersNotLeaderOrFollower_NamingTheLeaderAndItsEndpoint()
    {
        await using var cluster = await ReplicationCluster.StartAsync(2);
        cluster.Publish(replicas: [1, 2], isr: [1, 2], leader: 2, leaderEpoch: 4);
        await using var client = await KafkaConnection.ConnectAsync(
            "127.0.0.1", cluster.Broker(1).Port, new KafkaConnectionOptions { Transport = cluster.Network.TransportFor("client") }, Cancellation);

        var produce = new ProduceRequest { Acks = 1, TimeoutMs = 1_000 };
        produce.TopicData.Add(new ProduceRequest.TopicProduceData
        {
            Name = ReplicationCluster.Topic,
            PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = cluster.Batch("a", 1) }],
        });
        var produced = await client.SendAsync<ProduceRequest, ProduceResponse>(produce, 11, Cancellation);
        var refused = Assert.Single(Assert.Single(produced.Responses).PartitionResponses);
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, refused.ErrorCode);
        Assert.Equal((2, 4), (refused.CurrentLeader.LeaderId, refused.CurrentLeader.LeaderEpoch));
        Assert.Equal([(2, "127.0.0.1", cluster.Broker(2).Port)], produced.NodeEndpoints.Select(n => (n.NodeId, n.Host, n.Port)));

        var fetch = new FetchRequest { MaxWaitMs = 0, MinBytes = 1, MaxBytes = 1 << 20, SessionEpoch = -1 };
        fetch.Topics.Add(new FetchRequest.FetchTopic
        {
            TopicId = cluster.TopicId,
            Partitions = [new FetchRequest.FetchPartition { Partition = 0, CurrentLeaderEpoch = 3, FetchOffset = 0, PartitionMaxBytes = 1 << 20 }],
        });
        var fetched = await client.SendAsync<FetchRequest, FetchResponse>(fetch, 17, Cancellation);
        var fenced = Assert.Single(Assert.Single(fetched.Responses).Partitions);
        Assert.Equal((short)ErrorCode.FencedLeaderEpoch, fenced.ErrorCode);
        Assert.Equal((2, 4), (fenced.CurrentLeader.LeaderId, fenced.CurrentLeader.LeaderEpoch));
        Assert.Equal([(2, "127.0.0.1", cluster.Broker(2).Port)], fetched.NodeEndpoints.Select(n => (n.NodeId, n.Host, n.Port)));
    }

    private static (ErrorCode, long) Single(PartitionAppendResult[] results)
    {
        var result = Assert.Single(results);
        return (result.ErrorCode, result.BaseOffset);
    }

    private static async Task<List<(ErrorCode, int, long)>> OffsetForLeaderEpochAsync(KafkaConnection connection, params (int Current, int Epoch)[] asks)
    {
        var results = new List<(ErrorCode, int, long)>();
        foreach (var (current, epoch) in asks)
        {
            var request = new OffsetForLeaderEpochRequest { ReplicaId = -1 };
            request.Topics.Add(new OffsetForLeaderEpochRequest.OffsetForLeaderTopic
            {
                Topic = ReplicationCluster.Topic,
                Partitions = [new OffsetForLeaderEpochRequest.OffsetForLeaderPartition { Partition = 0, CurrentLeaderEpoch = current, LeaderEpoch = epoch }],
            });
            var response = await connection.SendAsync<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>(request, Cancellation);
            var answer = Assert.Single(Assert.Single(response.Topics).Partitions);
            results.Add(((ErrorCode)answer.ErrorCode, answer.LeaderEpoch, answer.EndOffset));
        }

        return results;
    }
}
