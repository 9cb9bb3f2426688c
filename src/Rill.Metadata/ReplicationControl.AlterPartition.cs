using Rill.Common;
using Rill.Protocol.MetadataRecords;
using Rill.Protocol.Messages;

namespace Rill.Metadata;

internal sealed partial class ReplicationControl
{
    /// <summary>
    /// AlterPartition from a partition leader (kafka: ReplicationControlManager.alterPartition): the ISR it shrank or
    /// grew, checked against the broker's epoch, its leadership, the leader and partition epochs it acted on and the
    /// new members' registrations, then recorded as a PartitionChangeRecord; each partition is answered with the state
    /// it has now. An ISR that completes a reassignment may move the leadership, which the leader hears as
    /// NEW_LEADER_ELECTED.
    /// </summary>
    public AlterPartitionResponse AlterPartition(AlterPartitionRequest request)
    {
        var response = new AlterPartitionResponse();
        if (!State.Brokers.TryGetValue(request.BrokerId, out var broker) || broker.BrokerEpoch != request.BrokerEpoch)
        {
            response.ErrorCode = (short)ErrorCode.StaleBrokerEpoch;
            return response;
        }

        foreach (var topicData in request.Topics)
        {
            var topicResult = new AlterPartitionResponse.TopicData { TopicId = topicData.TopicId, TopicName = topicData.TopicName };
            response.Topics.Add(topicResult);

            // Version 2 and later name topics by id; earlier ones by name.
            var byId = topicData.TopicId != Uuid.Zero;
            if (!(byId ? State.TryGetTopic(topicData.TopicId, out var topic) : State.TryGetTopic(topicData.TopicName, out topic)))
            {
                var unknown = byId ? ErrorCode.UnknownTopicId : ErrorCode.UnknownTopicOrPartition;
                topicResult.Partitions.AddRange(topicData.Partitions.Select(p => new AlterPartitionResponse.PartitionData
                {
                    PartitionIndex = p.PartitionIndex,
                    ErrorCode = (short)unknown,
                }));
                continue;
            }

            foreach (var partitionData in topicData.Partitions)
            {
                topicResult.Partitions.Add(AlterOne(request.BrokerId, topic.Name, partitionData));
            }
        }

        return response;
    }

    private AlterPartitionResponse.PartitionData AlterOne(int brokerId, string topicName, AlterPartitionRequest.PartitionData data)
    {
        var topic = State.Topics[topicName];
        var newIsr = data.NewIsrWithEpochs.Count > 0 || data.NewIsr.Count == 0
            ? data.NewIsrWithEpochs.Select(member => (member.BrokerId, member.BrokerEpoch)).ToList()
            : data.NewIsr.Select(member => (BrokerId: member, BrokerEpoch: -1L)).ToList();
        var error = data.PartitionIndex < 0 || data.PartitionIndex >= topic.Partitions.Length
            ? ErrorCode.UnknownTopicOrPartition
            : Validate(brokerId, topic.Partitions[data.PartitionIndex], data, newIsr);
        if (error != ErrorCode.None)
        {
            return new AlterPartitionResponse.PartitionData { PartitionIndex = data.PartitionIndex, ErrorCode = (short)error };
        }

        var partition = topic.Partitions[data.PartitionIndex];
        var builder = new PartitionChangeBuilder(partition, topic.Id, replica => IsActive(State, replica))
        {
            Election = UncleanElectionEnabled(topicName) ? Election.Unclean : Election.Online,
            TargetIsr = [.. newIsr.Select(member => member.BrokerId)],
            TargetLeaderRecoveryState = (LeaderRecoveryState)data.LeaderRecoveryState,
        };
        if (builder.Build() is { } change)
        {
            Add(change);
            partition = State.Topics[topicName].Partitions[data.PartitionIndex];
            var leader = ((PartitionChangeRecord)change.Message).Leader;
            if (leader != brokerId && leader != PartitionChangeBuilder.NoLeaderChange)
            {
                // The ISR completed a reassignment that moved the leadership: the change is recorded, and the old
                // leader must fetch the new metadata before it asks again.
                return new AlterPartitionResponse.PartitionData { PartitionIndex = data.PartitionIndex, ErrorCode = (short)ErrorCode.NewLeaderElected };
            }
        }

        return new AlterPartitionResponse.PartitionData
        {
            PartitionIndex = data.PartitionIndex,
            LeaderId = partition.Leader,
            LeaderEpoch = partition.LeaderEpoch,
            Isr = [.. partition.Isr],
            LeaderRecoveryState = (sbyte)partition.LeaderRecoveryState,
            PartitionEpoch = partition.PartitionEpoch,
        };
    }

    // Kafka's validateAlterPartitionData, in its order; a request from a broker that does not lead is
    // NOT_LEADER_OR_FOLLOWER here, which Kafka answers INVALID_REQUEST.
    private ErrorCode Validate(
        int brokerId,
        PartitionRegistration partition,
        AlterPartitionRequest.PartitionData data,
        List<(int BrokerId, long BrokerEpoch)> newIsr)
    {
        // Epochs ahead of this controller's: it is behind the log, so it is no longer the active one.
        if (data.LeaderEpoch > partition.LeaderEpoch || data.PartitionEpoch > partition.PartitionEpoch)
        {
            return ErrorCode.NotController;
        }

        if (data.LeaderEpoch < partition.LeaderEpoch)
        {
            return ErrorCode.FencedLeaderEpoch;
        }

        if (brokerId != partition.Leader)
        {
            return ErrorCode.NotLeaderOrFollower;
        }

        if (data.PartitionEpoch < partition.PartitionEpoch)
        {
            return ErrorCode.InvalidUpdateVersion;
        }

        var members = newIsr.Select(member => member.BrokerId).ToList();
        if (members.Distinct().Count() != members.Count || !members.All(partition.Replicas.Contains) || !members.Contains(partition.Leader))
        {
            return ErrorCode.InvalidRequest;
        }

        if (data.LeaderRecoveryState is not ((sbyte)LeaderRecoveryState.Recovered or (sbyte)LeaderRecoveryState.Recovering))
        {
            return ErrorCode.InvalidRequest;
        }

        // A leader that was elected uncleanly first recovers alone, and a recovered one never goes back.
        var recovering = data.LeaderRecoveryState == (sbyte)LeaderRecoveryState.Recovering;
        if (recovering && (members.Count > 1 || partition.LeaderRecoveryState == LeaderRecoveryState.Recovered))
        {
            return ErrorCode.InvalidRequest;
        }

        // Every member must be a live, unfenced broker, of the incarnation the leader saw in sync (-1: any).
        foreach (var (member, epoch) in newIsr)
        {
            if (!State.Brokers.TryGetValue(member, out var registration) || !registration.IsActive
                || (epoch != -1 && epoch != registration.BrokerEpoch))
            {
                return ErrorCode.IneligibleReplica;
            }
        }

        return ErrorCode.None;
    }
}
