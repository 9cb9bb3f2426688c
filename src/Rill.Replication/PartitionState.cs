using System.Collections.Immutable;
using Rill.Metadata;

namespace Rill.Replication;

/// <summary>
/// A partition's leadership as this broker knows it, one immutable snapshot (kafka: <c>Partition</c>'s leader, epochs
/// and <c>PartitionState</c>). On a leader <see cref="Isr"/> may be newer than the metadata's registration: an
/// AlterPartition the controller accepted is applied from its response, before the metadata brings it.
/// </summary>
/// <param name="LeaderId">The leader's broker id; -1 when none.</param>
/// <param name="LeaderEpoch">-1 before the first registration.</param>
/// <param name="PartitionEpoch">Bumped by the controller on every change of the partition; -1 before the first registration.</param>
/// <param name="Replicas">Every replica, leader first when it is the preferred one.</param>
/// <param name="Isr">The ISR the controller last confirmed.</param>
/// <param name="Pending">The ISR change sent to the controller and not answered; null when none.</param>
/// <param name="PendingSent">Whether <paramref name="Pending"/> has been handed to the sender.</param>
public sealed record PartitionState(
    int LeaderId,
    int LeaderEpoch,
    int PartitionEpoch,
    ImmutableArray<int> Replicas,
    ImmutableArray<int> Isr,
    PendingIsrChange? Pending,
    bool PendingSent)
{
    public static readonly PartitionState None = new(-1, -1, -1, [], [], null, PendingSent: false);

    /// <summary>The replicas the high watermark waits for: the ISR, plus a follower whose joining is pending.</summary>
    public ImmutableArray<int> MaximalIsr => Pending?.MaximalIsr ?? Isr;

    /// <summary>Whether an ISR change is waiting for the controller.</summary>
    public bool IsInflight => Pending is not null;

    public static PartitionState Of(PartitionRegistration registration) =>
        new(registration.Leader, registration.LeaderEpoch, registration.PartitionEpoch, registration.Replicas, registration.Isr, null, PendingSent: false);
}
