using System.Collections.Immutable;

namespace Rill.Replication;

/// <summary>
/// An ISR change a leader has sent to the controller and not yet heard back about (kafka: <c>PendingExpandIsr</c>,
/// <c>PendingShrinkIsr</c>). One per partition at a time. While it is pending the committed ISR still decides
/// min.insync.replicas, and the high watermark waits for the maximal ISR: the committed one plus a joining
/// follower, since a follower that joins must be counted before the controller confirms it, and a shrink must not
/// let the high watermark run ahead of a follower that may stay.
/// </summary>
/// <param name="CommittedIsr">The ISR the controller last confirmed, which the request was computed from.</param>
/// <param name="ProposedIsr">The ISR sent: <see cref="CommittedIsr"/> with <paramref name="JoiningReplica"/> added, or the out-of-sync followers removed.</param>
/// <param name="ProposedBrokerEpochs">Each proposed member's broker epoch, in <paramref name="ProposedIsr"/>'s order (-1 when not known).</param>
/// <param name="JoiningReplica">The follower an expansion adds; -1 for a shrink.</param>
/// <param name="LeaderEpoch">The leader epoch the change was made in.</param>
/// <param name="PartitionEpoch">The partition epoch the change was made from.</param>
public sealed record PendingIsrChange(
    ImmutableArray<int> CommittedIsr,
    ImmutableArray<int> ProposedIsr,
    ImmutableArray<long> ProposedBrokerEpochs,
    int JoiningReplica,
    int LeaderEpoch,
    int PartitionEpoch)
{
    public bool IsExpansion => JoiningReplica >= 0;

    /// <summary>The replicas the high watermark waits for while the change is pending.</summary>
    public ImmutableArray<int> MaximalIsr => IsExpansion ? ProposedIsr : CommittedIsr;
}
