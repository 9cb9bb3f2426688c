using System.Text;
using Confluent.Kafka;
using Rill.TestKit;

namespace Rill.IntegrationTests;

/// <summary>Confluent.Kafka (librdkafka) producing to and consuming from a Rill node in this process.</summary>
public sealed class ProduceConsumeTests : IAsyncLifetime
{
    private RillTestNode _node = null!;

    public async ValueTask InitializeAsync() => _node = await RillTestNode.StartAsync();

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task KeyedOrders_100000Records_EveryKeyStaysInOnePartitionInOrder()
    {
        const int Records = 100_000;
        const int Users = 1_000;
        await TopicHelper.CreateAsync(_node.BootstrapServers, "orders", partitions: 3);
        var failures = 0;
        using (var producer = KafkaClients.Producer<string, string>(_node.BootstrapServers, c => c.Acks = Acks.All))
        {
            for (var i = 0; i < Records; i++)
            {
                var user = $"user-{i % Users}";
                producer.Produce("orders", new Message<string, string> { Key = user, Value = $"{user}:order-{i / Users}" }, report =>
                {
                    if (report.Error.IsError)
                    {
                        Interlocked.Increment(ref failures);
                    }
                });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
        }

        Assert.Equal(0, failures);

        var partitionOfKey = new Dictionary<string, int>();
        var nextOrderOfKey = new Dictionary<string, int>();
        var total = 0;
        for (var partition = 0; partition < 3; partition++)
        {
            var records = TopicHelper.ReadPartition<string, string>(_node.BootstrapServers, "orders", partition, Offset.Beginning);
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i];
                Assert.Equal(i, record.Offset.Value);
                Assert.Equal(partition, record.Partition.Value);
                if (partitionOfKey.TryGetValue(record.Message.Key, out var seen))
                {
                    Assert.Equal(seen, partition);
                }

                partitionOfKey[record.Message.Key] = partition;
                var expected = nextOrderOfKey.GetValueOrDefault(record.Message.Key);
                Assert.Equal($"{record.Message.Key}:order-{expected}", record.Message.Value);
                nextOrderOfKey[record.Message.Key] = expected + 1;
            }

            Assert.NotEmpty(records);
            total += records.Count;
        }

        Assert.Equal(Records, total);
        Assert.Equal(Users, partitionOfKey.Count);
        Assert.All(nextOrderOfKey.Values, count => Assert.Equal(Records / Users, count));
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    [InlineData(CompressionType.None)]
    public async Task EachCompressionCodec_RecordsComeBackExactly(CompressionType codec)
    {
        var topic = $"compressed-{codec}".ToLowerInvariant();
        await TopicHelper.CreateAsync(_node.BootstrapServers, topic, partitions: 1);
        var values = Enumerable.Range(0, 2_000).Select(i => $"value-{i}-{new string('x', i % 50)}").ToList();
        using (var producer = KafkaClients.Producer<string, string>(_node.BootstrapServers, c =>
        {
            c.CompressionType = codec;
            c.LingerMs = 20;
        }))
        {
            foreach (var value in values)
            {
                producer.Produce(topic, new Message<string, string>
                {
                    Key = "k",
                    Value = value,
                    Headers = [new Header("codec", Encoding.UTF8.GetBytes(codec.ToString()))],
                });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        var records = TopicHelper.ReadPartition<string, string>(_node.BootstrapServers, topic, 0, Offset.Beginning);
        Assert.Equal(values, records.Select(r => r.Message.Value));
        Assert.Equal(Enumerable.Range(0, values.Count).Select(i => (long)i), records.Select(r => r.Offset.Value));
        Assert.All(records, r => Assert.Equal(codec.ToString(), Encoding.UTF8.GetString(r.Message.Headers.GetLastBytes("codec"))));
    }

    [Fact]
    public async Task Consume_FromAGivenOffset_StartsExactlyThere()
    {
        await TopicHelper.CreateAsync(_node.BootstrapServers, "from-offset", partitions: 1);
        using (var producer = KafkaClients.Producer<Null, string>(_node.BootstrapServers))
        {
            for (var i = 0; i < 100; i++)
            {
                await producer.ProduceAsync("from-offset", new Message<Null, string> { Value = $"v{i}" }, TestContext.Current.CancellationToken);
            }
        }

        var records = TopicHelper.ReadPartition<Null, string>(_node.BootstrapServers, "from-offset", 0, new Offset(42));
        Assert.Equal(58, records.Count);
        Assert.Equal(42, records[0].Offset.Value);
        Assert.Equal("v42", records[0].Message.Value);
        Assert.Equal("v99", records[^1].Message.Value);
    }

    [Fact]
    public async Task OffsetsForTimes_FindsTheFirstRecordAtOrAfterTheTimestamp()
    {
        await TopicHelper.CreateAsync(_node.BootstrapServers, "by-time", partitions: 1);
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 100_000;
        using (var producer = KafkaClients.Producer<Null, string>(_node.BootstrapServers))
        {
            for (var i = 0; i < 100; i++)
            {
                await producer.ProduceAsync("by-time", new Message<Null, string>
                {
                    Value = $"v{i}",
                    Timestamp = new Timestamp(start + (i * 1_000), TimestampType.CreateTime),
                }, TestContext.Current.CancellationToken);
            }
        }

        using var consumer = KafkaClients.Consumer<Null, string>(_node.BootstrapServers);
        var tp = new TopicPartition("by-time", 0);
        var found = consumer.OffsetsForTimes(
            [
                new TopicPartitionTimestamp(tp, new Timestamp(start + 30_500, TimestampType.CreateTime)),
            ],
            TimeSpan.FromSeconds(10));
        Assert.Equal(31, found[0].Offset.Value);

        var afterEnd = consumer.OffsetsForTimes(
            [new TopicPartitionTimestamp(tp, new Timestamp(start + 1_000_000, TimestampType.CreateTime))],
            TimeSpan.FromSeconds(10));
        Assert.Equal(Offset.End, afterEnd[0].Offset);

        consumer.Assign(found);
        var record = consumer.Consume(TimeSpan.FromSeconds(10));
        Assert.Equal("v31", record.Message.Value);
        Assert.Equal(start + 31_000, record.Message.Timestamp.UnixTimestampMs);
    }

    [Fact]
    public async Task LogAppendTimeTopic_StampsTheBrokersTime()
    {
        await TopicHelper.CreateAsync(_node.BootstrapServers, "append-time", partitions: 1, new Dictionary<string, string>
        {
            ["message.timestamp.type"] = "LogAppendTime",
        });
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using (var producer = KafkaClients.Producer<Null, string>(_node.BootstrapServers))
        {
            var report = await producer.ProduceAsync("append-time", new Message<Null, string>
            {
                Value = "v",
                Timestamp = new Timestamp(1_000, TimestampType.CreateTime),
            }, TestContext.Current.CancellationToken);
            Assert.Equal(TimestampType.LogAppendTime, report.Timestamp.Type);
        }

        var records = TopicHelper.ReadPartition<Null, string>(_node.BootstrapServers, "append-time", 0, Offset.Beginning);
        var record = Assert.Single(records);
        Assert.Equal(TimestampType.LogAppendTime, record.Message.Timestamp.Type);
        Assert.InRange(record.Message.Timestamp.UnixTimestampMs, before, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Restart_TopicsAndRecordsSurvive()
    {
        await TopicHelper.CreateAsync(_node.BootstrapServers, "durable", partitions: 2);
        using (var producer = KafkaClients.Producer<string, string>(_node.BootstrapServers))
        {
            for (var i = 0; i < 10; i++)
            {
                await producer.ProduceAsync(new TopicPartition("durable", i % 2), new Message<string, string> { Key = $"k{i}", Value = $"v{i}" }, TestContext.Current.CancellationToken);
            }
        }

        await _node.RestartAsync();

        using var admin = KafkaClients.Admin(_node.BootstrapServers);
        var metadata = admin.GetMetadata("durable", TimeSpan.FromSeconds(10));
        Assert.Equal(2, Assert.Single(metadata.Topics).Partitions.Count);
        var even = TopicHelper.ReadPartition<string, string>(_node.BootstrapServers, "durable", 0, Offset.Beginning);
        Assert.Equal(["v0", "v2", "v4", "v6", "v8"], even.Select(r => r.Message.Value));
    }
}
