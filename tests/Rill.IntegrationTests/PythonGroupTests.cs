using Rill.IntegrationTests.Groups;
using Rill.TestKit;

namespace Rill.IntegrationTests;

/// <summary>The order-processing group with Debian's Python clients: two members split the partitions and process every order once.</summary>
public sealed class PythonGroupTests : IAsyncLifetime
{
    private RillTestNode _node = null!;

    public async ValueTask InitializeAsync() => _node = await RillTestNode.StartAsync("group.initial.rebalance.delay.ms=500");

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Theory]
    [InlineData("kafka-python", "kafka")]
    [InlineData("confluent", "confluent_kafka")]
    public async Task TwoMembers_SplitThePartitions_AndProcessEveryOrderOnce(string library, string module)
    {
        ExternalTool.Require("/usr/bin/python3", module);
        var topic = $"orders-{library}";
        await TopicHelper.CreateAsync(_node.BootstrapServers, topic, partitions: 3);
        Orders.Produce(_node.BootstrapServers, topic, 0, 1000);
        await using var first = new PythonGroupMember("py-1", library, _node.BootstrapServers, topic, "order-processing-group", idleSeconds: 8);
        await using var second = new PythonGroupMember("py-2", library, _node.BootstrapServers, topic, "order-processing-group", idleSeconds: 8);
        await Orders.OneOwnerPerPartitionAsync([first, second], 3);
        await Orders.AllProcessedAsync([first, second], 1000);
        Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        var all = first.Records.Concat(second.Records).ToList();
        Assert.Equal(1000, all.Select(r => r.Value).Distinct().Count());
        Assert.Equal(1000, all.Count);
        using (var admin = KafkaClients.Admin(_node.BootstrapServers))
        {
            var offsets = await admin.ListConsumerGroupOffsetsAsync([new Confluent.Kafka.ConsumerGroupTopicPartitions("order-processing-group", null)]);
            Assert.Equal(1000, offsets.Single().Partitions.Where(p => p.Topic == topic).Sum(p => p.Offset.Value));
        }

        await using var analytics = new PythonGroupMember("py-analytics", library, _node.BootstrapServers, topic, "analytics-group", idleSeconds: 5);
        await Orders.AllProcessedAsync([analytics], 1000);
    }
}
