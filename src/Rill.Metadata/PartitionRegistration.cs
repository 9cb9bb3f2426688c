using System.Collections.Immutable;

namespace Rill.Metadata;

/// <summary>One partition as the metadata log describes it: where its replicas are and who leads.</summary>
public sealed record PartitionRegistration(
    int PartitionId,
    ImmutableArray<int> Replicas,
    ImmutableArray<int> Isr,
    int Leader,
    int LeaderEpoch,
    int PartitionEpoch);
