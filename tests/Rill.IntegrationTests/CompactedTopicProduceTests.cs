using Confluent.Kafka;
using Rill.TestKit;

namespace Rill.IntegrationTests;

/// <summary>Confluent.Kafka producing records without a key to a compacted topic: each delivery report fails with INVALID_RECORD, as with Kafka.</summary>
public sealed class CompactedTopicProduceTests : IAsyncLifetime
{
    private RillTestNode _node = null!;

    public async ValueTask InitializeAsync() => _node = await RillTestNode.StartAsync();

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task ProduceWithoutKey_CompactedTopic_EveryDeliveryReportIsInvalidRecordAndNothingIsStored()
    {
        const int Records = 10;
        await TopicHelper.CreateAsync(_node.BootstrapServers, "compacted", partitions: 1, new Dictionary<string, string> { ["cleanup.policy"] = "compact" });
        var errors = new List<ErrorCode>();
        using (var producer = KafkaClients.Producer<Null, string>(_node.BootstrapServers, c =>
        {
            c.Acks = Acks.All;
            c.LingerMs = 50;
            c.MessageSendMaxRetries = 0;
        }))
        {
            for (var i = 0; i < Records; i++)
            {
                producer.Produce("compacted", new Message<Null, string> { Value = $"v{i}" }, report =>
                {
                    lock (errors)
                    {
                        errors.Add(report.Error.Code);
                    }
                });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        Assert.Equal(Enumerable.Repeat(ErrorCode.InvalidRecord, Records), errors);
        using var consumer = KafkaClients.Consumer<Null, string>(_node.BootstrapServers);
        var watermarks = consumer.QueryWatermarkOffsets(new TopicPartition("compacted", 0), TimeSpan.FromSeconds(10));
        Assert.Equal(0, watermarks.High.Value);

        using var keyed = KafkaClients.Producer<string, string>(_node.BootstrapServers, c => c.Acks = Acks.All);
        var delivered = await keyed.ProduceAsync("compacted", new Message<string, string> { Key = "k", Value = "v" }, TestContext.Current.CancellationToken);
        Assert.Equal(0, delivered.Offset.Value);
    }
}
