using Rill.Common;
using Rill.Protocol.Messages;

namespace Rill.Metadata;

internal sealed partial class ReplicationControl
{
    /// <summary>
    /// AlterPartitionReassignments as KRaft does it (kafka: ReplicationControlManager.alterPartitionReassignments): a
    /// target replica list first becomes the replicas (target, then the ones leaving) with adding and removing marked,
    /// the new replicas catch up and join the ISR, and the ISR change that completes the target (AlterPartition, or any
    /// change decided on the partition) drops the leaving replicas, moving the leadership if the leader leaves. A
    /// reordering completes at once. Null replicas cancel a reassignment in progress, going back to the replicas before
    /// it; if that leaves no ISR member, only a topic with unclean elections may.
    /// </summary>
    public AlterPartitionReassignmentsResponse AlterPartitionReassignments(AlterPartitionReassignmentsRequest request)
    {
        var response = new AlterPartitionReassignmentsResponse();
        foreach (var topic in request.Topics)
        {
            var topicResult = new AlterPartitionReassignmentsResponse.ReassignableTopicResponse { Name = topic.Name };
            response.Responses.Add(topicResult);
            foreach (var partition in topic.Partitions)
            {
                var (error, message) = Reassign(topic.Name, partition);
                topicResult.Partitions.Add(new AlterPartitionReassignmentsResponse.ReassignablePartitionResponse
                {
                    PartitionIndex = partition.PartitionIndex,
                    ErrorCode = (short)error,
                    ErrorMessage = message,
                });
            }
        }

        return response;
    }

    /// <summary>The reassignments in progress, of every partition or of the ones named (unknown ones are left out), as Kafka lists them.</summary>
    public ListPartitionReassignmentsResponse ListPartitionReassignments(ListPartitionReassignmentsRequest request)
    {
        var response = new ListPartitionReassignmentsResponse();
        var requested = request.Topics is null
            ? State.Topics.Values.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => (t.Name, Partitions: (IEnumerable<int>)t.Partitions.Select(p => p.PartitionId)))
            : request.Topics.Select(t => (t.Name, Partitions: (IEnumerable<int>)t.PartitionIndexes));
        foreach (var (name, partitions) in requested)
        {
            if (!State.Topics.TryGetValue(name, out var topic))
            {
                continue;
            }

            var ongoing = new ListPartitionReassignmentsResponse.OngoingTopicReassignment { Name = name };
            foreach (var id in partitions)
            {
                if (id >= 0 && id < topic.Partitions.Length && topic.Partitions[id] is { IsReassigning: true } partition)
                {
                    ongoing.Partitions.Add(new ListPartitionReassignmentsResponse.OngoingPartitionReassignment
                    {
                        PartitionIndex = id,
                        Replicas = [.. partition.Replicas],
                        AddingReplicas = [.. partition.AddingReplicas],
                        RemovingReplicas = [.. partition.RemovingReplicas],
                    });
                }
            }

            if (ongoing.Partitions.Count > 0)
            {
                response.Topics.Add(ongoing);
            }
        }

        return response;
    }

    private (ErrorCode Error, string? Message) Reassign(string topicName, AlterPartitionReassignmentsRequest.ReassignablePartition target)
    {
        if (!State.Topics.TryGetValue(topicName, out var topic))
        {
            return (ErrorCode.UnknownTopicOrPartition, $"Unable to find a topic named {topicName}.");
        }

        if (target.PartitionIndex < 0 || target.PartitionIndex >= topic.Partitions.Length)
        {
            return (ErrorCode.UnknownTopicOrPartition, $"Unable to find partition {topicName}:{target.PartitionIndex}.");
        }

        var partition = topic.Partitions[target.PartitionIndex];
        var unclean = UncleanElectionEnabled(topicName);
        PartitionChangeBuilder builder;
        if (target.Replicas is null)
        {
            if (!partition.IsReassigning)
            {
                return (ErrorCode.NoReassignmentInProgress, "No partition reassignment is in progress.");
            }

            // Kafka's PartitionReassignmentRevert: the replicas before the reassignment, the ISR without the ones it added.
            var replicas = partition.Replicas.Where(replica => !partition.AddingReplicas.Contains(replica)).ToList();
            var isr = partition.Isr.Where(replica => !partition.AddingReplicas.Contains(replica)).ToList();
            if (isr.Count == 0)
            {
                if (!unclean)
                {
                    return (ErrorCode.InvalidReplicaAssignment,
                        $"Unable to revert partition assignment for {topicName}:{target.PartitionIndex} because it would require an unclean leader election.");
                }

                isr.Add(replicas[0]);
            }

            builder = new PartitionChangeBuilder(partition, topic.Id, replica => IsActive(State, replica))
            {
                Election = unclean ? Election.Unclean : Election.Online,
                TargetIsr = isr,
                TargetReplicas = replicas,
                TargetRemoving = [],
                TargetAdding = [],
            };
        }
        else
        {
            if (TopicCreation.CheckAssignment(State, target.Replicas, factor: null) is { } invalid)
            {
                return (ErrorCode.InvalidReplicaAssignment, invalid);
            }

            // Kafka's PartitionReassignmentReplicas: the target first, then the replicas leaving, in id order.
            var removing = partition.Replicas.Except(target.Replicas).Order().ToList();
            var adding = target.Replicas.Except(partition.Replicas).Order().ToList();
            var replicas = target.Replicas.Concat(removing).ToList();
            builder = new PartitionChangeBuilder(partition, topic.Id, replica => IsActive(State, replica));
            if (!replicas.SequenceEqual(partition.Replicas))
            {
                builder.TargetReplicas = replicas;
            }

            if (removing.Count > 0)
            {
                builder.TargetRemoving = removing;
            }

            if (adding.Count > 0)
            {
                builder.TargetAdding = adding;
            }
        }

        if (builder.Build() is { } change)
        {
            Add(change);
        }

        return (ErrorCode.None, null);
    }
}
