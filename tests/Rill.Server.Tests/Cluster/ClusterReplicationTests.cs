using Rill.Common;
using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.TestKit;

namespace Rill.Server.Tests.Cluster;

/// <summary>
/// Three combined nodes in this process replicate a partition: an <c>acks=all</c> write is answered once every
/// in-sync replica has it, stopped followers leave the ISR, and with fewer in-sync replicas than
/// <c>min.insync.replicas</c> the leader refuses <c>acks=all</c> with NOT_ENOUGH_REPLICAS. Group coordinators are
/// the leaders of <c>__consumer_offsets</c>, named by every node alike.
/// </summary>
public sealed class ClusterReplicationTests : IAsyncLifetime
{
    private const string Topic = "orders";
    private static readonly TopicPartition Partition0 = new(Topic, 0);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private RillCluster _cluster = null!;

    public async ValueTask InitializeAsync() => _cluster = await RillCluster.StartAsync(
        3,
        "min.insync.replicas=2",
        "offsets.topic.replication.factor=3",
        "offsets.topic.num.partitions=3",
        "broker.session.timeout.ms=2000",
        "broker.heartbeat.interval.ms=250",
        "replica.lag.time.max.ms=1000");

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task AcksAll_IsAnsweredOnceEveryReplicaHasTheRecords_ThenNotEnoughReplicasWhenTheIsrShrinksBelowTheMinimum()
    {
        var leader = await CreateReplicatedTopicAsync();
        var followers = _cluster.NodeIds.Where(id => id != leader).Order().ToArray();
        await using var client = new RawKafkaClient(await _cluster.ConnectAsync(leader));

        var written = await ProduceAsync(client, acks: -1, records: 5);
        Assert.Equal(((short)ErrorCode.None, 0L), (written.ErrorCode, written.BaseOffset));
        Assert.Equal(5, PartitionOn(leader).HighWatermark);
        await Eventually.UntilAsync(
            () => followers.All(id => PartitionOn(id).LogEndOffset == 5), Patience, "both followers hold the five records");

        // One follower gone: the ISR is two, still min.insync.replicas, so acks=all goes on.
        await _cluster.StopNodeAsync(followers[0]);
        await Eventually.UntilAsync(
            () => !PartitionOn(leader).Isr.Contains(followers[0]), Patience, $"stopped follower {followers[0]} leaves the ISR");
        var second = await ProduceAsync(client, acks: -1, records: 2);
        Assert.Equal(((short)ErrorCode.None, 5L), (second.ErrorCode, second.BaseOffset));

        // Both gone: the leader alone is below min.insync.replicas and refuses acks=all, but still takes acks=1.
        await _cluster.StopNodeAsync(followers[1]);
        await Eventually.UntilAsync(
            () => PartitionOn(leader).Isr.SequenceEqual([leader]), Patience, "the leader is the ISR alone");
        var refused = await ProduceAsync(client, acks: -1, records: 1);
        Assert.Equal((short)ErrorCode.NotEnoughReplicas, refused.ErrorCode);
        var single = await ProduceAsync(client, acks: 1, records: 1);
        Assert.Equal(((short)ErrorCode.None, 7L), (single.ErrorCode, single.BaseOffset));
        Assert.Equal(8, PartitionOn(leader).LogEndOffset);
    }

    [Fact]
    public async Task FindCoordinator_OnEveryNode_NamesTheLeaderOfTheGroupsOffsetsPartition()
    {
        var answers = new List<FindCoordinatorResponse.Coordinator>();
        foreach (var id in _cluster.NodeIds.Order())
        {
            await using var client = new RawKafkaClient(await _cluster.ConnectAsync(id));
            await Eventually.UntilAsync(
                async () => Assert.Single((await FindAsync(client, "order-processing-group")).Coordinators).ErrorCode == (short)ErrorCode.None,
                Patience,
                $"node {id} names a coordinator");
            answers.Add(Assert.Single((await FindAsync(client, "order-processing-group")).Coordinators));
        }

        var image = _cluster.Node(_cluster.NodeIds.First()).Metadata.Image;
        Assert.True(image.TryGetTopic("__consumer_offsets", out var offsets));
        Assert.All(offsets.Partitions, p => Assert.Equal(3, p.Replicas.Length));
        var coordinator = answers[0].NodeId;
        Assert.All(answers, a => Assert.Equal(coordinator, a.NodeId));
        Assert.Equal(_cluster.Node(coordinator).BoundListeners[0].Port, answers[0].Port);
        Assert.Contains(coordinator, offsets.Partitions.Select(p => p.Leader));
    }

    [Fact]
    public async Task FindCoordinator_WithTooFewLiveBrokersForTheOffsetsTopic_AnswersCoordinatorNotAvailable()
    {
        var stopped = _cluster.NodeIds.Order().Last();
        var asked = _cluster.NodeIds.First(id => id != stopped);
        await _cluster.StopNodeAsync(stopped);
        await Eventually.UntilAsync(
            () => _cluster.Node(asked).Metadata.Image.Brokers[stopped].Fenced, Patience, $"stopped broker {stopped} is fenced");

        // Two live brokers cannot hold a topic of replication factor 3: the broker says so with a code clients retry,
        // not with the controller's INVALID_REPLICATION_FACTOR, which a consumer would report as an error.
        await using var client = new RawKafkaClient(await _cluster.ConnectAsync(asked));
        var answer = Assert.Single((await FindAsync(client, "order-processing-group")).Coordinators);
        Assert.Equal((short)ErrorCode.CoordinatorNotAvailable, answer.ErrorCode);
        Assert.Equal(-1, answer.NodeId);
        Assert.Contains("__consumer_offsets", answer.ErrorMessage, StringComparison.Ordinal);
        Assert.False(_cluster.Node(asked).Metadata.Image.Topics.ContainsKey("__consumer_offsets"));
    }

    private Rill.Replication.Partition PartitionOn(int nodeId) =>
        _cluster.Node(nodeId).Replicas.TryGetPartition(Partition0, out var partition)
            ? partition
            : throw new InvalidOperationException($"node {nodeId} has no replica of {Partition0}");

    /// <summary>Creates the topic on all three nodes; returns its leader once every replica is in its ISR.</summary>
    private async Task<int> CreateReplicatedTopicAsync()
    {
        await using (var client = new RawKafkaClient(await _cluster.ConnectAsync(1)))
        {
            var created = await client.RoundTripAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, new CreateTopicsRequest
            {
                Topics = [new CreateTopicsRequest.CreatableTopic { Name = Topic, NumPartitions = 1, ReplicationFactor = 3 }],
                TimeoutMs = 10_000,
            });
            Assert.Equal((short)ErrorCode.None, Assert.Single(created.Topics).ErrorCode);
        }

        PartitionRegistration? registration = null;
        await Eventually.UntilAsync(
            () => _cluster.Node(1).Metadata.Image.TryGetTopic(Topic, out var topic)
                && (registration = topic.Partitions[0]).Isr.Length == 3
                && _cluster.NodeIds.All(id => _cluster.Node(id).Replicas.TryGetPartition(Partition0, out _)),
            Patience,
            "every node has a replica, all in sync");
        return registration!.Leader;
    }

    private static async Task<ProduceResponse.PartitionProduceResponse> ProduceAsync(RawKafkaClient client, short acks, int records)
    {
        var response = await client.RoundTripAsync<ProduceResponse>(ApiKey.Produce, 9, ProduceFetchTests.ProduceTo(Topic, 0, ProduceFetchTests.Batch(records), acks));
        return response.Responses[0].PartitionResponses[0];
    }

    private static async Task<FindCoordinatorResponse> FindAsync(RawKafkaClient client, string group) =>
        await client.RoundTripAsync<FindCoordinatorResponse>(ApiKey.FindCoordinator, 4, new FindCoordinatorRequest { CoordinatorKeys = [group] });
}
