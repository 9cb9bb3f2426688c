using System.Collections.Immutable;

namespace Rill.Metadata;

/// <summary>One partition as the metadata log describes it: where its replicas are and who leads.</summary>
/// <remarks>
/// While a reassignment runs, <see cref="Replicas"/> holds the target replicas followed by the ones being removed;
/// <see cref="AddingReplicas"/> and <see cref="RemovingReplicas"/> say which are which (kafka: PartitionRegistration).
/// </remarks>
public sealed record PartitionRegistration(
    int PartitionId,
    ImmutableArray<int> Replicas,
    ImmutableArray<int> Isr,
    int Leader,
    int LeaderEpoch,
    int PartitionEpoch)
{
    /// <summary>The Leader of a partition that has none.</summary>
    public const int NoLeader = -1;

    /// <summary>Replicas a reassignment adds; they join <see cref="Replicas"/> once they are in the ISR.</summary>
    public ImmutableArray<int> AddingReplicas { get; init; } = [];

    /// <summary>Replicas a reassignment removes once the adding ones are in the ISR.</summary>
    public ImmutableArray<int> RemovingReplicas { get; init; } = [];

    /// <summary>Recovering after an unclean election until the new leader says it has recovered (KIP-704).</summary>
    public LeaderRecoveryState LeaderRecoveryState { get; init; } = LeaderRecoveryState.Recovered;

    public bool HasLeader => Leader != NoLeader;

    /// <summary>The first replica: the leader a balanced cluster gives this partition.</summary>
    public int PreferredReplica => Replicas.IsEmpty ? NoLeader : Replicas[0];

    public bool HasPreferredLeader => Leader == PreferredReplica;

    public bool IsReassigning => !AddingReplicas.IsEmpty || !RemovingReplicas.IsEmpty;
}

/// <summary>Kafka's LeaderRecoveryState, as PartitionRecord and AlterPartition carry it.</summary>
public enum LeaderRecoveryState : sbyte
{
    /// <summary>The leader was elected from the ISR, or has recovered from an unclean election.</summary>
    Recovered = 0,

    /// <summary>The leader was elected uncleanly and has not yet told the controller it recovered.</summary>
    Recovering = 1,
}
