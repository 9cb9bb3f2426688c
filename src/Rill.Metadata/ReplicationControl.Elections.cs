using Rill.Common;
using Rill.Protocol.Messages;

namespace Rill.Metadata;

internal sealed partial class ReplicationControl
{
    /// <summary>Kafka's cap on the elections one rebalance operation makes (maxElectionsPerImbalance).</summary>
    public const int MaxElectionsPerBalance = 1_000;

    private const sbyte PreferredElection = 0;
    private const sbyte UncleanElection = 1;

    /// <summary>
    /// ElectLeaders (kafka: ReplicationControlManager.electLeaders): PREFERRED moves each named partition's leadership
    /// to its first replica when that one is in the ISR and may lead, UNCLEAN gives a leaderless partition any live
    /// replica when no ISR member can lead. No named partitions means every partition, leaving out those that need no
    /// election.
    /// </summary>
    public ElectLeadersResponse ElectLeaders(ElectLeadersRequest request)
    {
        var response = new ElectLeadersResponse();
        if (request.ElectionType is not (PreferredElection or UncleanElection))
        {
            response.ErrorCode = (short)ErrorCode.InvalidRequest;
            return response;
        }

        if (request.TopicPartitions is null)
        {
            foreach (var topic in State.Topics.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToList())
            {
                var result = new ElectLeadersResponse.ReplicaElectionResult { Topic = topic.Name };
                response.ReplicaElectionResults.Add(result);
                foreach (var partition in topic.Partitions.Select(p => p.PartitionId))
                {
                    var (error, message) = ElectLeader(topic.Name, partition, request.ElectionType);
                    if (error != ErrorCode.ElectionNotNeeded)
                    {
                        result.PartitionResult.Add(new() { PartitionId = partition, ErrorCode = (short)error, ErrorMessage = message });
                    }
                }
            }

            return response;
        }

        foreach (var topic in request.TopicPartitions)
        {
            var result = new ElectLeadersResponse.ReplicaElectionResult { Topic = topic.Topic };
            response.ReplicaElectionResults.Add(result);
            foreach (var partition in topic.Partitions)
            {
                var (error, message) = ElectLeader(topic.Topic, partition, request.ElectionType);
                result.PartitionResult.Add(new() { PartitionId = partition, ErrorCode = (short)error, ErrorMessage = message });
            }
        }

        return response;
    }

    /// <summary>
    /// The controller's periodic leadership work: a leaderless partition of a topic that allows unclean elections gets
    /// a live replica as leader (the setting may have been turned on since it lost its leader), and, with
    /// <c>auto.leader.rebalance.enable</c>, every broker whose share of preferred partitions led elsewhere is above
    /// <c>leader.imbalance.per.broker.percentage</c> gets those leaderships back where it is in the ISR (kafka's
    /// checkAndTriggerAutoLeaderRebalance). At most <paramref name="maxElections"/> elections; returns how many.
    /// </summary>
    public int BalanceLeaders(int maxElections)
    {
        var elections = 0;
        foreach (var (topic, partition) in Leaderless())
        {
            if (elections == maxElections)
            {
                return elections;
            }

            if (UncleanElectionEnabled(topic.Name) && ElectLeader(topic.Name, partition.PartitionId, UncleanElection).Error == ErrorCode.None)
            {
                elections++;
            }
        }

        if (!_config.AutoLeaderRebalanceEnable)
        {
            return elections;
        }

        var byPreferred = State.Topics.Values
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .SelectMany(topic => topic.Partitions.Where(p => !p.Replicas.IsEmpty).Select(partition => (topic, partition)))
            .GroupBy(entry => entry.partition.PreferredReplica)
            .OrderBy(group => group.Key)
            .ToList();
        foreach (var group in byPreferred)
        {
            var broker = group.Key;
            var imbalanced = group.Where(entry => !entry.partition.HasPreferredLeader).ToList();
            var ratio = (double)imbalanced.Count / group.Count();
            if (ratio <= _config.LeaderImbalancePerBrokerPercentage / 100.0)
            {
                continue;
            }

            foreach (var (topic, partition) in imbalanced)
            {
                if (elections == maxElections)
                {
                    return elections;
                }

                // Only where the preferred replica can take over cleanly, and not in the middle of a reassignment.
                if (!partition.IsReassigning && partition.Isr.Contains(broker) && IsActive(State, broker)
                    && ElectLeader(topic.Name, partition.PartitionId, PreferredElection).Error == ErrorCode.None)
                {
                    elections++;
                }
            }
        }

        return elections;
    }

    // Kafka's electLeader: one partition, decided on the state the elections before it left.
    private (ErrorCode Error, string? Message) ElectLeader(string topicName, int partitionId, sbyte electionType)
    {
        if (!State.Topics.TryGetValue(topicName, out var topic))
        {
            return (ErrorCode.UnknownTopicOrPartition, $"No such topic as {topicName}");
        }

        if (partitionId < 0 || partitionId >= topic.Partitions.Length)
        {
            return (ErrorCode.UnknownTopicOrPartition, $"No such partition as {topicName}-{partitionId}");
        }

        var partition = topic.Partitions[partitionId];
        var preferred = electionType == PreferredElection;
        if (preferred ? partition.HasPreferredLeader : partition.HasLeader)
        {
            return (ErrorCode.ElectionNotNeeded, "Leader election not needed for topic partition.");
        }

        var builder = new PartitionChangeBuilder(partition, topic.Id, replica => IsActive(State, replica))
        {
            Election = preferred ? Election.Preferred : Election.Unclean,
        };
        if (builder.Build() is not { } change)
        {
            return preferred
                ? (ErrorCode.PreferredLeaderNotAvailable, "The preferred leader was not available.")
                : (ErrorCode.EligibleLeadersNotAvailable, "Eligible topic partition leaders are not available.");
        }

        Add(change);
        return (ErrorCode.None, null);
    }
}
