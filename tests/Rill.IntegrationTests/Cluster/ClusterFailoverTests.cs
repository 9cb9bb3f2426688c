using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.TestKit;

namespace Rill.IntegrationTests.Cluster;

/// <summary>
/// Three <c>rill serve</c> processes in combined mode (broker and controller) on loopback, replication factor 3 and
/// <c>min.insync.replicas=2</c>, with Confluent.Kafka producing <c>acks=all</c>. A broker is killed (SIGKILL), paused
/// (SIGSTOP) or restarted mid-stream; afterwards every acknowledged record is read back exactly once, in the order it
/// was sent, and nothing that was not sent is read.
/// </summary>
public sealed class ClusterFailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    // Shorter than Kafka's defaults (9 s session, 30 s lag) so that a dead broker loses its leaderships and a paused
    // follower leaves the ISR within a test's patience; the mechanisms are the same.
    private static readonly string[] Settings =
    [
        "default.replication.factor=3",
        "min.insync.replicas=2",
        "offsets.topic.replication.factor=3",
        "broker.session.timeout.ms=2000",
        "broker.heartbeat.interval.ms=250",
        "replica.lag.time.max.ms=2000",
        "leader.imbalance.check.interval.seconds=1",
    ];

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private RillProcessCluster _cluster = null!;

    public async ValueTask InitializeAsync()
    {
        _cluster = await RillProcessCluster.StartAsync(3, Settings);
        await Eventually.UntilAsync(() => Brokers().Count == 3, Patience, "every broker is listed in Metadata");
    }

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task PartitionLeaderKilled_ANewLeaderTakesWrites_AndEveryAcknowledgedRecordIsReadBackOnce()
    {
        const string topic = "orders-leader-killed";
        await CreateTopicAsync(topic, replicas: null);
        var leader = Partition(topic).Leader;

        await using var run = ProduceRun.Start(_cluster.BootstrapServers, topic);
        await run.UntilAcknowledgedAsync(300, Patience);
        await _cluster.KillNodeAsync(leader);
        run.MarkFault();
        await run.UntilAcknowledgedAsync(run.Acknowledged.Count + 300, Patience);
        output.WriteLine($"failover: partition leader {leader} killed; the first acks=all write sent after its death acknowledged {run.MillisecondsToFirstAckAfterFault()} ms after it");
        await run.StopAsync();

        var newLeader = Partition(topic).Leader;
        Assert.NotEqual(leader, newLeader);
        Assert.DoesNotContain(leader, Partition(topic).InSyncReplicas);
        AssertReadBackExactlyOnce(topic, run);
    }

    [Fact]
    public async Task ActiveControllerKilled_ANewControllerTakesOver_WritesResume_AndMetadataChangesWorkAgain()
    {
        const string topic = "orders-controller-killed";
        var controller = await ActiveControllerAsync();
        var others = _cluster.NodeIds.Where(id => id != controller).Order().ToArray();

        // The controller also leads the partition, so that its death costs both a Raft election and a partition election.
        await CreateTopicAsync(topic, [controller, others[0], others[1]]);
        await Eventually.UntilAsync(() => Partition(topic).Leader == controller, Patience, $"node {controller} leads {topic}-0");

        await using var run = ProduceRun.Start(_cluster.BootstrapServers, topic);
        await run.UntilAcknowledgedAsync(300, Patience);
        var killed = Stopwatch.StartNew();
        await _cluster.KillNodeAsync(controller);
        run.MarkFault();
        await run.UntilAcknowledgedAsync(run.Acknowledged.Count + 300, Patience);
        output.WriteLine($"failover: active controller {controller} killed; the first acks=all write sent after its death acknowledged {run.MillisecondsToFirstAckAfterFault()} ms after it");
        await run.StopAsync();

        var newController = await ActiveControllerAsync();
        Assert.Contains(newController, others);
        using (var admin = KafkaClients.Admin(_cluster.BootstrapServers))
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = "after-controller-failover", NumPartitions = 1, ReplicationFactor = 2 }]);
        }

        output.WriteLine($"failover: a CreateTopics succeeded {killed.ElapsedMilliseconds} ms after the controller was killed");
        Assert.Equal(others, Partition("after-controller-failover").Replicas.Order());
        AssertReadBackExactlyOnce(topic, run);
    }

    [Fact]
    public async Task FollowerPaused_LeavesTheIsr_WritesGoOn_AndItRejoinsWhenResumed()
    {
        const string topic = "orders-follower-paused";
        var controller = await ActiveControllerAsync();
        var others = _cluster.NodeIds.Where(id => id != controller).Order().ToArray();
        var (leader, paused) = (others[0], others[1]);
        await CreateTopicAsync(topic, [leader, controller, paused]);
        await Eventually.UntilAsync(() => Partition(topic).InSyncReplicas.Length == 3, Patience, "all three replicas are in sync");

        await using var run = ProduceRun.Start(_cluster.BootstrapServers, topic);
        await run.UntilAcknowledgedAsync(200, Patience);
        _cluster.Node(paused).Pause();
        await Eventually.UntilAsync(
            () => !Partition(topic).InSyncReplicas.Contains(paused), Patience, $"paused node {paused} leaves the ISR of {topic}-0");
        var whilePaused = run.Acknowledged.Count;
        await run.UntilAcknowledgedAsync(whilePaused + 200, Patience);

        _cluster.Node(paused).Resume();
        await Eventually.UntilAsync(
            () => Partition(topic).InSyncReplicas.Contains(paused), Patience, $"resumed node {paused} rejoins the ISR of {topic}-0");
        await run.UntilAcknowledgedAsync(run.Acknowledged.Count + 100, Patience);
        await run.StopAsync();

        Assert.Equal(leader, Partition(topic).Leader);
        AssertReadBackExactlyOnce(topic, run);
    }

    [Fact]
    public async Task KilledLeaderRestartedAfterOthersTookWrites_TruncatesCatchesUp_AndServesEveryRecordAsPreferredLeader()
    {
        const string topic = "orders-restarted";
        var controller = await ActiveControllerAsync();
        var others = _cluster.NodeIds.Where(id => id != controller).Order().ToArray();
        var restarted = others[0];
        await CreateTopicAsync(topic, [restarted, others[1], controller]);
        await Eventually.UntilAsync(() => Partition(topic).InSyncReplicas.Length == 3, Patience, "all three replicas are in sync");

        await using var run = ProduceRun.Start(_cluster.BootstrapServers, topic);
        await run.UntilAcknowledgedAsync(300, Patience);
        await _cluster.KillNodeAsync(restarted);
        await run.UntilAcknowledgedAsync(run.Acknowledged.Count + 300, Patience);

        await _cluster.StartNodeAsync(restarted);
        await Eventually.UntilAsync(
            () => Partition(topic).InSyncReplicas.Contains(restarted), Patience, $"restarted node {restarted} rejoins the ISR");

        // The automatic leader balance gives the partition back to its preferred replica, which then serves the reads.
        await Eventually.UntilAsync(() => Partition(topic).Leader == restarted, Patience, $"preferred replica {restarted} leads again");
        await run.UntilAcknowledgedAsync(run.Acknowledged.Count + 100, Patience);
        await run.StopAsync();
        AssertReadBackExactlyOnce(topic, run);
    }

    [Fact]
    public async Task ConsumerGroup_KeepsConsumingAcrossCoordinatorFailover_WithoutRereadingCommittedRecords()
    {
        const string topic = "orders-group-failover";
        const string group = "order-processing-group";
        await CreateTopicAsync(topic, replicas: null, partitions: 3);
        using (var producer = KafkaClients.Producer<string, string>(_cluster.BootstrapServers, c => c.Acks = Acks.All))
        {
            for (var i = 0; i < 300; i++)
            {
                await producer.ProduceAsync(topic, new Message<string, string> { Key = $"user-{i % 17}", Value = $"order-{i}" }, TestContext.Current.CancellationToken);
            }
        }

        var seen = new HashSet<(int Partition, long Offset)>();
        using var consumer = KafkaClients.Consumer<string, string>(_cluster.BootstrapServers, c =>
        {
            c.GroupId = group;
            c.SessionTimeoutMs = 10_000;
        });
        consumer.Subscribe(topic);
        ConsumeAndCommit(consumer, seen, until: () => seen.Count >= 150);
        var committedBeforeKill = consumer.Committed(TimeSpan.FromSeconds(10)).ToDictionary(c => c.Partition.Value, c => c.Offset.Value);

        var coordinator = await CoordinatorOfAsync(group);
        await _cluster.KillNodeAsync(coordinator);
        var consumedAfterKill = new List<(int Partition, long Offset)>();
        ConsumeAndCommit(consumer, seen, until: () => seen.Count == 300, consumedAfterKill);

        Assert.NotEqual(coordinator, await CoordinatorOfAsync(group));
        Assert.All(consumedAfterKill, record => Assert.True(
            record.Offset >= committedBeforeKill.GetValueOrDefault(record.Partition, 0),
            $"{topic}-{record.Partition} offset {record.Offset} was read again after offset {committedBeforeKill.GetValueOrDefault(record.Partition, 0)} was committed"));
        var committed = consumer.Committed(TimeSpan.FromSeconds(10)).ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
        using var watermarks = KafkaClients.Consumer<Null, Null>(_cluster.BootstrapServers);
        for (var partition = 0; partition < 3; partition++)
        {
            var end = watermarks.QueryWatermarkOffsets(new TopicPartition(topic, partition), TimeSpan.FromSeconds(10)).High.Value;
            Assert.Equal(end, committed[partition]);
        }

        consumer.Close();
    }

    private static void ConsumeAndCommit(
        IConsumer<string, string> consumer, HashSet<(int, long)> seen, Func<bool> until, List<(int, long)>? consumed = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!until())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Consumed {seen.Count} distinct records before the deadline.");
            }

            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is null)
            {
                continue;
            }

            seen.Add((result.Partition.Value, result.Offset.Value));
            consumed?.Add((result.Partition.Value, result.Offset.Value));
            try
            {
                consumer.Commit(result);
            }
            catch (KafkaException)
            {
                // The coordinator is moving: the commit is lost, and the records after the last good one may be read again.
            }
        }
    }

    private async Task CreateTopicAsync(string topic, int[]? replicas, int partitions = 1)
    {
        using var admin = KafkaClients.Admin(_cluster.BootstrapServers);
        var specification = replicas is null
            ? new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = -1 }
            : new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = -1, ReplicasAssignments = new Dictionary<int, List<int>> { [0] = [.. replicas] } };
        await admin.CreateTopicsAsync([specification]);
    }

    private PartitionMetadata Partition(string topic)
    {
        using var admin = KafkaClients.Admin(_cluster.BootstrapServers);
        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
        return metadata.Topics.Single().Partitions.Single(p => p.PartitionId == 0);
    }

    private List<BrokerMetadata> Brokers()
    {
        using var admin = KafkaClients.Admin(_cluster.BootstrapServers);
        return admin.GetMetadata(TimeSpan.FromSeconds(10)).Brokers;
    }

    private async Task<int> ActiveControllerAsync()
    {
        var node = _cluster.NodeIds.First(id => _cluster.IsRunning(id));
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", _cluster.BrokerPort(node));
        var leaderId = -1;
        await Eventually.UntilAsync(
            async () =>
            {
                var response = await client.RoundTripAsync<DescribeQuorumResponse>(ApiKey.DescribeQuorum, 0, new DescribeQuorumRequest
                {
                    Topics = [new DescribeQuorumRequest.TopicData { TopicName = "__cluster_metadata", Partitions = [new DescribeQuorumRequest.PartitionData { PartitionIndex = 0 }] }],
                });
                leaderId = response.ErrorCode == 0 ? response.Topics[0].Partitions[0].LeaderId : -1;
                return leaderId >= 0 && _cluster.IsRunning(leaderId);
            },
            Patience,
            "the metadata quorum has a live leader");
        return leaderId;
    }

    private async Task<int> CoordinatorOfAsync(string group)
    {
        using var admin = KafkaClients.Admin(_cluster.BootstrapServers);
        var coordinator = -1;
        await Eventually.UntilAsync(
            async () =>
            {
                var description = (await admin.DescribeConsumerGroupsAsync([group])).ConsumerGroupDescriptions.Single();
                coordinator = description.Coordinator?.Id ?? -1;
                return coordinator >= 0 && _cluster.IsRunning(coordinator);
            },
            Patience,
            $"group {group} has a live coordinator");
        return coordinator;
    }

    private void AssertReadBackExactlyOnce(string topic, ProduceRun run)
    {
        var records = TopicHelper.ReadPartition<Null, string>(_cluster.BootstrapServers, topic, 0, Offset.Beginning);
        var indexes = records.Select(r => ProduceRun.IndexOf(r.Message.Value)).ToList();

        // Nothing invented, in the order it was sent (one send at a time). A record may be in the log twice only as the
        // same message sent again, back to back: librdkafka re-sends an unacknowledged batch to the new leader when a
        // leader moves, even with retries 0 (seen here as one message, one CreateTime, under two leader epochs). Only
        // an idempotent producer rules that out, and Rill has none yet (issue 13).
        Assert.All(indexes, index => Assert.InRange(index, 0, run.Sent - 1));
        for (var i = 1; i < records.Count; i++)
        {
            if (indexes[i] == indexes[i - 1])
            {
                Assert.Equal(records[i - 1].Message.Timestamp.UnixTimestampMs, records[i].Message.Timestamp.UnixTimestampMs);
                Assert.True(records[i].LeaderEpoch > records[i - 1].LeaderEpoch, $"{records[i].Message.Value} twice in leader epoch {records[i].LeaderEpoch}");
            }
        }

        var twice = records.GroupBy(r => r.Message.Value).Where(g => g.Count() > 2).Select(g => g.Key).ToList();
        Assert.True(twice.Count == 0, $"read more than twice: {string.Join(", ", twice)}");
        Assert.Equal(indexes.Order(), indexes);

        // Every acknowledged record at the offset its acknowledgement gave.
        var byOffset = records.ToDictionary(r => r.Offset.Value, r => r.Message.Value);
        foreach (var (value, offset) in run.Acknowledged)
        {
            Assert.True(byOffset.TryGetValue(offset, out var read), $"acknowledged {value} at offset {offset} is missing; {records.Count} records were read");
            Assert.Equal(value, read);
        }
    }

    /// <summary>
    /// One record at a time with <c>acks=all</c> and no retries, so that a record is written at most once and the log's
    /// order is the order of sending; a send that fails is indeterminate (it may or may not be in the log).
    /// </summary>
    private sealed class ProduceRun : IAsyncDisposable
    {
        private readonly IProducer<Null, string> _producer;
        private readonly CancellationTokenSource _stop = new();
        private readonly Lock _lock = new();
        private readonly List<(string Value, long Offset)> _acknowledged = [];
        private readonly List<(long SentAt, long AcknowledgedAt)> _times = [];
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _faultAt = long.MaxValue;
        private Task _running = Task.CompletedTask;
        private int _sent;

        private ProduceRun(string bootstrapServers)
        {
            _producer = KafkaClients.Producer<Null, string>(bootstrapServers, c =>
            {
                c.Acks = Acks.All;
                c.LingerMs = 0;
                c.MessageSendMaxRetries = 0;
                c.MessageTimeoutMs = 30_000;
                c.RequestTimeoutMs = 10_000;
            });
        }

        public int Sent => Volatile.Read(ref _sent);

        public IReadOnlyList<(string Value, long Offset)> Acknowledged
        {
            get
            {
                lock (_lock)
                {
                    return [.. _acknowledged];
                }
            }
        }

        public static ProduceRun Start(string bootstrapServers, string topic)
        {
            var run = new ProduceRun(bootstrapServers);
            run._running = Task.Run(() => run.RunAsync(topic));
            return run;
        }

        public static int IndexOf(string value) => int.Parse(value.AsSpan("record-".Length), System.Globalization.CultureInfo.InvariantCulture);

        public async Task UntilAcknowledgedAsync(int count, TimeSpan timeout) =>
            await Eventually.UntilAsync(() => Acknowledged.Count >= count || _running.IsCompleted, timeout, $"{count} records acknowledged");

        /// <summary>Marks the moment a fault took effect (the process is gone), for <see cref="MillisecondsToFirstAckAfterFault"/>.</summary>
        public void MarkFault() => Volatile.Write(ref _faultAt, _clock.ElapsedMilliseconds);

        /// <summary>From the fault to the acknowledgement of the first record sent after it: the failover as a producer sees it.</summary>
        public long MillisecondsToFirstAckAfterFault()
        {
            var faultAt = Volatile.Read(ref _faultAt);
            lock (_lock)
            {
                return _times.First(t => t.SentAt >= faultAt).AcknowledgedAt - faultAt;
            }
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _running;
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _producer.Dispose();
            _stop.Dispose();
        }

        private async Task RunAsync(string topic)
        {
            while (!_stop.IsCancellationRequested)
            {
                var value = $"record-{_sent}";
                Interlocked.Increment(ref _sent);
                var sentAt = _clock.ElapsedMilliseconds;
                try
                {
                    var report = await _producer.ProduceAsync(topic, new Message<Null, string> { Value = value });
                    lock (_lock)
                    {
                        _acknowledged.Add((value, report.Offset.Value));
                        _times.Add((sentAt, _clock.ElapsedMilliseconds));
                    }
                }
                catch (ProduceException<Null, string>)
                {
                    // Not acknowledged: the record may or may not be in the log; the read-back allows either.
                }
            }
        }
    }
}
