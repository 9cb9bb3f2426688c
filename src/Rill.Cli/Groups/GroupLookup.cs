using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Rill.Cli.Groups;

/// <summary>A group's description and committed offsets through the AdminClient, with "does not exist" made explicit.</summary>
internal static class GroupLookup
{
    /// <summary>The group's description; Kafka answers an unknown group as Dead with no members (or GROUP_ID_NOT_FOUND with KIP-848).</summary>
    public static async Task<ConsumerGroupDescription?> DescribeAsync(ClusterAdmin admin, string group)
    {
        try
        {
            var result = await admin.Client.DescribeConsumerGroupsAsync([group], new DescribeConsumerGroupsOptions { RequestTimeout = admin.RequestTimeout });
            var description = result.ConsumerGroupDescriptions[0];
            return description.State == ConsumerGroupState.Dead && description.Members.Count == 0 ? null : description;
        }
        catch (DescribeConsumerGroupsException exception)
        {
            var error = exception.Results.ConsumerGroupDescriptions.FirstOrDefault()?.Error ?? exception.Error;
            if (error.Code == ErrorCode.GroupIdNotFound)
            {
                return null;
            }

            throw KafkaErrors.ForGroup(group, error);
        }
    }

    /// <summary>Every committed offset of the group (offsets below zero, "none", are left out).</summary>
    public static async Task<Dictionary<TopicPartition, long>> CommittedOffsetsAsync(ClusterAdmin admin, string group)
    {
        try
        {
            var results = await admin.Client.ListConsumerGroupOffsetsAsync(
                [new ConsumerGroupTopicPartitions(group, null)],
                new ListConsumerGroupOffsetsOptions { RequestTimeout = admin.RequestTimeout });
            return results[0].Partitions
                .Where(p => !p.Error.IsError && p.Offset.Value >= 0)
                .ToDictionary(p => p.TopicPartition, p => p.Offset.Value);
        }
        catch (ListConsumerGroupOffsetsException exception)
        {
            var error = exception.Results.FirstOrDefault()?.Error ?? exception.Error;
            if (error.Code == ErrorCode.GroupIdNotFound)
            {
                return [];
            }

            throw KafkaErrors.ForGroup(group, error);
        }
    }
}
