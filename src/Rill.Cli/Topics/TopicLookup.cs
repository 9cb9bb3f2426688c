using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Rill.Cli.Topics;

/// <summary>Finds topics through DescribeTopics, which never creates one as a side effect (a producer's metadata request may).</summary>
internal static class TopicLookup
{
    /// <summary>The topic's description, or exit 1 with "topic 'x' does not exist".</summary>
    public static async Task<TopicDescription> DescribeAsync(ClusterAdmin admin, string topic)
    {
        try
        {
            var result = await admin.Client.DescribeTopicsAsync(
                TopicCollection.OfTopicNames([topic]),
                new DescribeTopicsOptions { RequestTimeout = admin.RequestTimeout });
            return result.TopicDescriptions[0];
        }
        catch (DescribeTopicsException exception)
        {
            var description = exception.Results.TopicDescriptions.FirstOrDefault();
            throw KafkaErrors.ForTopic(topic, description?.Error ?? exception.Error);
        }
    }

    /// <summary>Every partition of the topic, in partition order.</summary>
    public static async Task<List<int>> PartitionsAsync(ClusterAdmin admin, string topic)
    {
        var description = await DescribeAsync(admin, topic);
        return [.. description.Partitions.Select(p => p.Partition).Order()];
    }

    /// <summary>Offsets of one kind (earliest, latest, for a timestamp) for the given partitions.</summary>
    public static async Task<Dictionary<TopicPartition, long>> ListOffsetsAsync(ClusterAdmin admin, IEnumerable<TopicPartition> partitions, OffsetSpec spec)
    {
        var specs = partitions.Select(tp => new TopicPartitionOffsetSpec { TopicPartition = tp, OffsetSpec = spec }).ToList();
        if (specs.Count == 0)
        {
            return [];
        }

        try
        {
            var result = await admin.Client.ListOffsetsAsync(specs, new ListOffsetsOptions { RequestTimeout = admin.RequestTimeout });
            return result.ResultInfos.ToDictionary(r => r.TopicPartitionOffsetError.TopicPartition, r => r.TopicPartitionOffsetError.Offset.Value);
        }
        catch (ListOffsetsException exception)
        {
            var failed = exception.Result.ResultInfos.First(r => r.TopicPartitionOffsetError.Error.IsError).TopicPartitionOffsetError;
            throw KafkaErrors.ForTopic(failed.Topic, failed.Error);
        }
    }
}
