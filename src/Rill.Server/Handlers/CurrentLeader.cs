using System.Diagnostics.CodeAnalysis;
using Rill.Common;
using Rill.Metadata;
using Rill.Replication;

namespace Rill.Server.Handlers;

/// <summary>
/// KIP-951: a partition answered NOT_LEADER_OR_FOLLOWER (Produce v10+, Fetch v16+ also on FENCED_LEADER_EPOCH) names the
/// leader this broker knows and, in the response's node endpoints, where to reach it, so that the client moves on without
/// a metadata round trip first (kafka: <c>KafkaApis.getCurrentLeader</c>).
/// </summary>
internal static class CurrentLeader
{
    /// <summary>The leader and epoch of this broker's own replica when it holds one, else the metadata's; (-1, -1) when neither knows the partition.</summary>
    public static (int LeaderId, int LeaderEpoch) Of(ReplicaManager replicas, MetadataImage image, TopicPartition topicPartition)
    {
        if (replicas.TryGetPartition(topicPartition, out var partition))
        {
            var state = partition.State;
            return (state.LeaderId, state.LeaderEpoch);
        }

        if (image.TryGetTopic(topicPartition.Topic, out var topic) && topicPartition.Partition >= 0 && topicPartition.Partition < topic.Partitions.Length)
        {
            var registration = topic.Partitions[topicPartition.Partition];
            return (registration.Leader, registration.LeaderEpoch);
        }

        return (-1, -1);
    }

    /// <summary>Broker <paramref name="brokerId"/>'s address on <paramref name="listenerName"/>, when it is registered and not fenced.</summary>
    public static bool TryGetEndpoint(
        MetadataImage image, int brokerId, string listenerName, [NotNullWhen(true)] out BrokerRegistration? broker, [NotNullWhen(true)] out BrokerEndpoint? endpoint)
    {
        endpoint = null;
        if (!image.Brokers.TryGetValue(brokerId, out broker) || broker.Fenced)
        {
            return false;
        }

        foreach (var candidate in broker.Endpoints)
        {
            if (string.Equals(candidate.Name, listenerName, StringComparison.OrdinalIgnoreCase))
            {
                endpoint = candidate;
                return true;
            }
        }

        return false;
    }
}
