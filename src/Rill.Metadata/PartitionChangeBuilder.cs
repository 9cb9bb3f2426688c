using Rill.Common;
using Rill.Protocol.MetadataRecords;

namespace Rill.Metadata;

/// <summary>How a partition's leader is chosen when it changes (kafka: PartitionChangeBuilder.Election).</summary>
internal enum Election
{
    /// <summary>The first replica if it is in the ISR and may lead; else as <see cref="Online"/>.</summary>
    Preferred,

    /// <summary>Keep the leader if it is still in the ISR and may lead; else the first replica in the ISR that may.</summary>
    Online,

    /// <summary>As <see cref="Online"/>, and when no ISR member may lead, any replica that may, losing what it lacks.</summary>
    Unclean,
}

/// <summary>
/// Turns the target state of one partition (ISR, replicas, reassignment, leader recovery) into the one
/// PartitionChangeRecord that gets there, electing the leader as Kafka's PartitionChangeBuilder does: a leader that
/// stays valid is kept, the ISR is never written empty (when its last member leaves, the partition loses its leader
/// and the ISR keeps that member, so that only it can lead again without an unclean election), an unclean election
/// shrinks the ISR to the new leader and marks the partition recovering, and a reassignment completes once every
/// target replica is in the ISR. Eligible leader replicas (KIP-966) are not kept.
/// </summary>
internal sealed class PartitionChangeBuilder
{
    /// <summary>PartitionChangeRecord.Leader when the leader does not change.</summary>
    public const int NoLeaderChange = -2;

    /// <summary>PartitionChangeRecord.LeaderRecoveryState when it does not change.</summary>
    public const sbyte NoRecoveryStateChange = -1;

    private const short RecordVersion = 0;

    private readonly PartitionRegistration _partition;
    private readonly Uuid _topicId;
    private readonly Func<int, bool> _mayLead;

    /// <param name="mayLead">Whether a broker may lead now: registered, unfenced, not shutting down (or an exception the caller makes).</param>
    public PartitionChangeBuilder(PartitionRegistration partition, Uuid topicId, Func<int, bool> mayLead)
    {
        _partition = partition;
        _topicId = topicId;
        _mayLead = mayLead;
        TargetIsr = [.. partition.Isr];
        TargetReplicas = [.. partition.Replicas];
        TargetRemoving = [.. partition.RemovingReplicas];
        TargetAdding = [.. partition.AddingReplicas];
        TargetLeaderRecoveryState = partition.LeaderRecoveryState;
    }

    public List<int> TargetIsr { get; set; }

    public List<int> TargetReplicas { get; set; }

    public List<int> TargetRemoving { get; set; }

    public List<int> TargetAdding { get; set; }

    public LeaderRecoveryState TargetLeaderRecoveryState { get; set; }

    public Election Election { get; set; } = Election.Online;

    /// <summary>The change, or null when the targets leave the partition as it is.</summary>
    public ApiMessageAndVersion? Build()
    {
        var record = new PartitionChangeRecord { TopicId = _topicId, PartitionId = _partition.PartitionId };
        CompleteReassignmentIfDone();
        TryElection(record);

        // Replicas leaving the assignment must stop acting on the old leader epoch, so removing any starts a new one.
        if (record.Leader == NoLeaderChange && !_partition.Replicas.All(TargetReplicas.Contains))
        {
            record.Leader = _partition.Leader;
        }

        // An empty ISR is never written: the last member stays, and the partition waits for it (or an unclean election).
        if (record.Isr is null && TargetIsr.Count > 0 && !TargetIsr.SequenceEqual(_partition.Isr))
        {
            record.Isr = [.. TargetIsr];
        }

        if (TargetReplicas.Count > 0 && !TargetReplicas.SequenceEqual(_partition.Replicas))
        {
            record.Replicas = [.. TargetReplicas];
        }

        if (!TargetRemoving.SequenceEqual(_partition.RemovingReplicas))
        {
            record.RemovingReplicas = [.. TargetRemoving];
        }

        if (!TargetAdding.SequenceEqual(_partition.AddingReplicas))
        {
            record.AddingReplicas = [.. TargetAdding];
        }

        if (TargetLeaderRecoveryState != _partition.LeaderRecoveryState)
        {
            record.LeaderRecoveryState = (sbyte)TargetLeaderRecoveryState;
        }

        return IsNoOp(record) ? null : new ApiMessageAndVersion(record, RecordVersion);
    }

    // Kafka's PartitionReassignmentReplicas.maybeCompleteReassignment: once every replica that stays is in the ISR,
    // the removed ones leave the replicas and the ISR, and the reassignment is over.
    private void CompleteReassignmentIfDone()
    {
        if (TargetRemoving.Count == 0 && TargetAdding.Count == 0)
        {
            return;
        }

        var isr = TargetIsr;
        var replicas = TargetReplicas;
        if (TargetRemoving.Count > 0)
        {
            isr = [.. TargetIsr.Where(replica => !TargetRemoving.Contains(replica))];
            replicas = [.. TargetReplicas.Where(replica => !TargetRemoving.Contains(replica))];
            if (isr.Count == 0 || replicas.Count == 0)
            {
                return;
            }
        }

        if (!replicas.All(isr.Contains))
        {
            return;
        }

        TargetIsr = isr;
        TargetReplicas = replicas;
        TargetRemoving = [];
        TargetAdding = [];
    }

    private void TryElection(PartitionChangeRecord record)
    {
        var (leader, unclean) = Election == Election.Preferred ? ElectPreferred() : ElectAny();
        if (leader == _partition.Leader)
        {
            return;
        }

        record.Leader = leader;
        if (unclean)
        {
            // The new leader lacks what the ISR had: it alone is in sync now, and it says when it has recovered.
            record.Isr = [leader];
            if (_partition.LeaderRecoveryState != LeaderRecoveryState.Recovering)
            {
                record.LeaderRecoveryState = (sbyte)LeaderRecoveryState.Recovering;
            }
        }
    }

    private (int Leader, bool Unclean) ElectPreferred()
    {
        var preferred = TargetReplicas.Count > 0 ? TargetReplicas[0] : PartitionRegistration.NoLeader;
        if (IsValidLeader(preferred))
        {
            return (preferred, false);
        }

        if (IsValidLeader(_partition.Leader))
        {
            return (_partition.Leader, false);
        }

        foreach (var replica in TargetReplicas.Skip(1))
        {
            if (IsValidLeader(replica))
            {
                return (replica, false);
            }
        }

        return (PartitionRegistration.NoLeader, false);
    }

    private (int Leader, bool Unclean) ElectAny()
    {
        if (IsValidLeader(_partition.Leader))
        {
            return (_partition.Leader, false);
        }

        foreach (var replica in TargetReplicas)
        {
            if (IsValidLeader(replica))
            {
                return (replica, false);
            }
        }

        if (Election == Election.Unclean)
        {
            foreach (var replica in TargetReplicas)
            {
                if (_mayLead(replica))
                {
                    return (replica, true);
                }
            }
        }

        return (PartitionRegistration.NoLeader, false);
    }

    private bool IsValidLeader(int replica) => replica != PartitionRegistration.NoLeader && TargetIsr.Contains(replica) && _mayLead(replica);

    private static bool IsNoOp(PartitionChangeRecord record) =>
        record.Isr is null
        && record.Leader == NoLeaderChange
        && record.Replicas is null
        && record.RemovingReplicas is null
        && record.AddingReplicas is null
        && record.LeaderRecoveryState == NoRecoveryStateChange;
}
