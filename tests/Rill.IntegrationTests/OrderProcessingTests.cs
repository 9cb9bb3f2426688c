using Confluent.Kafka;
using Rill.IntegrationTests.Groups;
using Rill.TestKit;

namespace Rill.IntegrationTests;

/// <summary>
/// The order-processing system end to end with Confluent.Kafka: <c>orders</c> with 3 partitions, the group
/// <c>order-processing-group</c> splitting them, members joining and dying, and <c>analytics-group</c> reading
/// everything from the start on its own.
/// </summary>
public sealed class OrderProcessingTests : IAsyncLifetime
{
    private const string Topic = "orders";
    private const string Group = "order-processing-group";
    private RillTestNode _node = null!;

    public async ValueTask InitializeAsync()
    {
        _node = await RillTestNode.StartAsync("group.initial.rebalance.delay.ms=500");
        await TopicHelper.CreateAsync(_node.BootstrapServers, Topic, partitions: 3);
    }

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task TwoConsumersSplitTheOrders_AThirdJoins_OneIsKilled_EveryOrderIsProcessed_NoCommittedOrderAgain()
    {
        ExternalTool.Require("/usr/bin/python3", "confluent_kafka");
        Orders.Produce(_node.BootstrapServers, Topic, 0, 400);
        await using var first = new ConfluentGroupMember("worker-1", _node.BootstrapServers, Topic, Group);
        await using var second = new ConfluentGroupMember("worker-2", _node.BootstrapServers, Topic, Group);
        await Orders.OneOwnerPerPartitionAsync([first, second], 3);
        Assert.NotEmpty(first.Assignment);
        Assert.NotEmpty(second.Assignment);
        await Orders.AllProcessedAsync([first, second], 400);

        await using var third = new PythonGroupMember("worker-3", "confluent", _node.BootstrapServers, Topic, Group, idleSeconds: 120);
        await Orders.OneOwnerPerPartitionAsync([first, second, third], 3);
        Assert.Single(third.Assignment);
        Orders.Produce(_node.BootstrapServers, Topic, 400, 300);
        await Orders.AllProcessedAsync([first, second, third], 700);
        var thirdPartition = third.Assignment.Single();
        await Eventually.UntilAsync(
            () => third.Records.Any(r => r.Partition == thirdPartition) && third.Committed.ContainsKey(thirdPartition),
            TimeSpan.FromSeconds(30),
            "the third worker to commit on its partition");

        await third.KillAsync();
        var committedByTheDead = third.Committed.GetValueOrDefault(thirdPartition);
        Orders.Produce(_node.BootstrapServers, Topic, 700, 300);
        await Orders.OneOwnerPerPartitionAsync([first, second], 3);
        await Orders.AllProcessedAsync([first, second, third], 1000);

        var all = first.Records.Concat(second.Records).Concat(third.Records).ToList();
        Assert.Equal(1000, all.Select(r => r.Value).Distinct().Count());
        Assert.All(all.GroupBy(r => r.Key), user => Assert.Single(user.Select(r => r.Partition).Distinct()));
        foreach (var repeated in all.GroupBy(r => (r.Partition, r.Offset)).Where(g => g.Count() > 1))
        {
            // Only what the killed worker processed but had not committed may be processed again.
            Assert.Equal(thirdPartition, repeated.Key.Partition);
            Assert.True(repeated.Key.Offset >= committedByTheDead, $"offset {repeated.Key.Offset} was committed ({committedByTheDead}) and read again");
        }
    }

    [Fact]
    public async Task CooperativeStickyMembers_SplitAndRebalance_WithEveryOrderProcessedOnce()
    {
        Orders.Produce(_node.BootstrapServers, Topic, 0, 300);
        void Cooperative(ConsumerConfig c) => c.PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky;
        await using var first = new ConfluentGroupMember("sticky-1", _node.BootstrapServers, Topic, "sticky-group", Cooperative);
        await Orders.OneOwnerPerPartitionAsync([first], 3);
        await using var second = new ConfluentGroupMember("sticky-2", _node.BootstrapServers, Topic, "sticky-group", Cooperative);
        await Orders.OneOwnerPerPartitionAsync([first, second], 3);
        Assert.NotEmpty(second.Assignment);
        Orders.Produce(_node.BootstrapServers, Topic, 300, 300);
        await Orders.AllProcessedAsync([first, second], 600);
        var all = first.Records.Concat(second.Records).ToList();
        Assert.Equal(600, all.Count);
        Assert.Equal(600, all.Select(r => r.Value).Distinct().Count());
    }

    [Fact]
    public async Task AnalyticsGroup_ReadsEveryOrderFromTheStart_WithoutTouchingTheProcessingGroup()
    {
        Orders.Produce(_node.BootstrapServers, Topic, 0, 1000);
        await using (var worker = new ConfluentGroupMember("worker", _node.BootstrapServers, Topic, Group))
        {
            await Orders.AllProcessedAsync([worker], 1000);
        }

        await using var analytics = new ConfluentGroupMember("analytics", _node.BootstrapServers, Topic, "analytics-group");
        await Orders.AllProcessedAsync([analytics], 1000);
        Assert.Equal(1000, analytics.Records.Count);

        using var admin = KafkaClients.Admin(_node.BootstrapServers);
        var offsets = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(Group, null)]);
        var total = offsets.Single().Partitions.Sum(p => p.Offset.Value);
        Assert.Equal(1000, total);
    }

    [Fact]
    public async Task ARestartedConsumer_ResumesAtItsCommittedOffsets_AndCommitsSurviveABrokerRestart()
    {
        Orders.Produce(_node.BootstrapServers, Topic, 0, 300);
        var worker = new ConfluentGroupMember("before", _node.BootstrapServers, Topic, "resume-group");
        await using (worker)
        {
            await Orders.AllProcessedAsync([worker], 300);
        }

        // Read once the worker has stopped: a record counts as processed before its commit returns.
        var committed = new Dictionary<int, long>(worker.Committed);
        Assert.Equal(300, committed.Values.Sum());
        await _node.RestartAsync();
        Orders.Produce(_node.BootstrapServers, Topic, 300, 60);

        using (var consumer = KafkaClients.Consumer<string, string>(_node.BootstrapServers, c => c.GroupId = "resume-group"))
        {
            var stored = consumer.Committed([.. committed.Keys.Select(p => new TopicPartition(Topic, p))], TimeSpan.FromSeconds(30));
            Assert.All(stored, tpo => Assert.Equal(committed[tpo.Partition.Value], tpo.Offset.Value));
        }

        await using var after = new ConfluentGroupMember("after", _node.BootstrapServers, Topic, "resume-group");
        await Orders.AllProcessedAsync([after], 60);
        Assert.Equal(
            Enumerable.Range(300, 60).Select(Orders.ValueOf).Order(StringComparer.Ordinal),
            after.Records.Select(r => r.Value).Order(StringComparer.Ordinal));
        foreach (var record in after.Records.GroupBy(r => r.Partition))
        {
            Assert.Equal(committed[record.Key], record.Min(r => r.Offset));
        }
    }

    [Fact]
    public async Task AutoCommit_CommitsWhatWasConsumed()
    {
        Orders.Produce(_node.BootstrapServers, Topic, 0, 200);
        await using (var worker = new ConfluentGroupMember("auto", _node.BootstrapServers, Topic, "auto-group", c =>
        {
            c.EnableAutoCommit = true;
            c.AutoCommitIntervalMs = 200;
        }))
        {
            await Orders.AllProcessedAsync([worker], 200);
            await Eventually.UntilAsync(
                () =>
                {
                    var positions = worker.Consumer.Committed(TimeSpan.FromSeconds(10));
                    return positions.Count == 3 && positions.Sum(p => p.Offset.Value) == 200;
                },
                TimeSpan.FromSeconds(30),
                "auto-commit to reach the end of every partition");
        }

        using var admin = KafkaClients.Admin(_node.BootstrapServers);
        var offsets = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions("auto-group", null)]);
        Assert.Equal(200, offsets.Single().Partitions.Sum(p => p.Offset.Value));
    }

    [Fact]
    public async Task LatestReset_ReadsOnlyOrdersProducedAfterTheGroupJoined()
    {
        Orders.Produce(_node.BootstrapServers, Topic, 0, 100);
        using var consumer = KafkaClients.Consumer<string, string>(_node.BootstrapServers, c =>
        {
            c.GroupId = "latest-group";
            c.AutoOffsetReset = AutoOffsetReset.Latest;
            c.EnablePartitionEof = true;
        });
        consumer.Subscribe(Topic);
        var deadline = DateTime.UtcNow.AddSeconds(60);

        // End-of-partition events say the fetcher has resolved "latest" and reached the end of each partition.
        var atEnd = new HashSet<int>();
        while (atEnd.Count < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "the consumer never reached the end of its partitions");
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            Assert.True(result is null || result.IsPartitionEOF, $"read {result?.Message?.Value}, produced before the group joined");
            if (result is { IsPartitionEOF: true })
            {
                atEnd.Add(result.Partition.Value);
            }
        }

        Orders.Produce(_node.BootstrapServers, Topic, 100, 10);
        var values = new List<string>();
        while (values.Count < 10 && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } result)
            {
                values.Add(result.Message.Value);
            }
        }

        Assert.Equal(Enumerable.Range(100, 10).Select(Orders.ValueOf).Order(StringComparer.Ordinal), values.Order(StringComparer.Ordinal));
        consumer.Close();
    }
}
