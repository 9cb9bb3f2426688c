using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Rill.TestKit;

namespace Rill.IntegrationTests;

internal static class TopicHelper
{
    public static async Task CreateAsync(string bootstrapServers, string topic, int partitions, Dictionary<string, string>? configs = null)
    {
        using var admin = KafkaClients.Admin(bootstrapServers);
        await admin.CreateTopicsAsync(
        [
            new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1, Configs = configs },
        ]);
    }

    /// <summary>Reads every record of one partition from its start up to its high watermark.</summary>
    public static List<ConsumeResult<TKey, TValue>> ReadPartition<TKey, TValue>(string bootstrapServers, string topic, int partition, Offset from)
    {
        using var consumer = KafkaClients.Consumer<TKey, TValue>(bootstrapServers);
        var tp = new TopicPartition(topic, partition);
        var end = consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)).High.Value;
        consumer.Assign(new TopicPartitionOffset(tp, from));
        var records = new List<ConsumeResult<TKey, TValue>>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((records.Count == 0 || records[^1].Offset.Value < end - 1) && end > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Read {records.Count} records of {topic}-{partition} before the deadline; the end is {end}.");
            }

            var result = consumer.Consume(TimeSpan.FromSeconds(1));
            if (result is not null && !result.IsPartitionEOF)
            {
                records.Add(result);
            }
        }

        return records;
    }
}
