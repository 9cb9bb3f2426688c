using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Rill.Cli.Topics;

namespace Rill.Cli.Perf;

/// <summary>
/// The setup every perf run shares, on Confluent.Kafka's AdminClient whatever the driver: prove the cluster answers
/// (exit 3 otherwise), find the topic's partitions, create the topic when asked, and list offsets.
/// </summary>
internal static class PerfTopic
{
    private static readonly TimeSpan CreatedPollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The topic's partitions, in order. A missing topic is created with <paramref name="createPartitions"/>
    /// partitions when given; otherwise it is an error (exit 1), which says how to create it when
    /// <paramref name="canCreate"/>.
    /// </summary>
    public static async Task<List<int>> PartitionsAsync(ClusterAdmin admin, CliContext context, string topic, bool canCreate, int? createPartitions, CancellationToken cancellationToken)
    {
        var partitions = await TryPartitionsAsync(admin, topic);
        if (partitions is not null)
        {
            return partitions;
        }

        if (createPartitions is not { } count)
        {
            throw CliException.Failed(canCreate ? $"topic '{topic}' does not exist (--create-partitions N creates it)" : $"topic '{topic}' does not exist");
        }

        try
        {
            await admin.Client.CreateTopicsAsync(
                [new TopicSpecification { Name = topic, NumPartitions = count, ReplicationFactor = -1 }],
                new CreateTopicsOptions { RequestTimeout = context.Timeout, OperationTimeout = context.Timeout });
        }
        catch (CreateTopicsException exception) when (exception.Results.All(r => !r.Error.IsError || r.Error.Code == ErrorCode.TopicAlreadyExists))
        {
            // Someone else created it in between: use theirs.
        }
        catch (CreateTopicsException exception)
        {
            throw KafkaErrors.ForTopic(topic, exception.Results.First(r => r.Error.IsError).Error);
        }

        // Metadata reaches every broker shortly after the controller commits the topic.
        var timeProvider = context.Console.TimeProvider;
        var started = timeProvider.GetTimestamp();
        while (true)
        {
            partitions = await TryPartitionsAsync(admin, topic);
            if (partitions is { Count: > 0 })
            {
                return partitions;
            }

            if (timeProvider.GetElapsedTime(started) > context.Timeout)
            {
                throw CliException.Failed($"topic '{topic}' was created but did not show up within {ValueParsers.Describe(context.Timeout)}");
            }

            await Task.Delay(CreatedPollInterval, timeProvider, cancellationToken);
        }
    }

    /// <summary>Each partition's offset of one kind (earliest, latest), by partition number.</summary>
    public static async Task<Dictionary<int, long>> OffsetsAsync(ClusterAdmin admin, string topic, IEnumerable<int> partitions, OffsetSpec spec)
    {
        var offsets = await TopicLookup.ListOffsetsAsync(admin, partitions.Select(p => new TopicPartition(topic, p)), spec);
        return offsets.ToDictionary(o => o.Key.Partition.Value, o => o.Value);
    }

    private static async Task<List<int>?> TryPartitionsAsync(ClusterAdmin admin, string topic)
    {
        try
        {
            var result = await admin.Client.DescribeTopicsAsync(
                TopicCollection.OfTopicNames([topic]),
                new DescribeTopicsOptions { RequestTimeout = admin.RequestTimeout });
            return [.. result.TopicDescriptions[0].Partitions.Select(p => p.Partition).Order()];
        }
        catch (DescribeTopicsException exception)
        {
            var error = exception.Results.TopicDescriptions.FirstOrDefault()?.Error ?? exception.Error;
            if (error.Code == ErrorCode.UnknownTopicOrPart)
            {
                return null;
            }

            throw KafkaErrors.ForTopic(topic, error);
        }
    }
}
