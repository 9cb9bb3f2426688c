namespace Rill.Raft;

/// <summary>
/// The quorum as this node sees it, for <c>rill cluster info</c>: on the leader what every voter and observer has
/// replicated (as Kafka's DescribeQuorum reports it), elsewhere only the leader, epoch and this node's own progress.
/// </summary>
/// <param name="NodeId">The node that described the quorum.</param>
/// <param name="LeaderId">The leader of <paramref name="Epoch"/>, or -1 while unknown.</param>
/// <param name="Epoch">The latest epoch this node knows.</param>
/// <param name="HighWatermark">The committed offset, or -1 while unknown.</param>
/// <param name="IsFromLeader">True when <paramref name="NodeId"/> leads: only then are the replica figures complete.</param>
/// <param name="Voters">Every voter; unknown figures are -1.</param>
/// <param name="Observers">Replicas outside the voters that fetched recently (leader only).</param>
public sealed record QuorumDescription(
    int NodeId,
    int LeaderId,
    int Epoch,
    long HighWatermark,
    bool IsFromLeader,
    IReadOnlyList<ReplicaDescription> Voters,
    IReadOnlyList<ReplicaDescription> Observers);

/// <summary>
/// One replica of the metadata log (kafka: <c>DescribeQuorumResponse.ReplicaState</c>). Timestamps are the leader's wall
/// clock in milliseconds; for the leader itself both are now, as Kafka reports them.
/// </summary>
/// <param name="NodeId">The replica.</param>
/// <param name="LogEndOffset">Its last known log end offset, or -1.</param>
/// <param name="LastFetchTimestamp">When it last fetched, or -1.</param>
/// <param name="LastCaughtUpTimestamp">When it last had everything the leader had, or -1.</param>
public sealed record ReplicaDescription(int NodeId, long LogEndOffset, long LastFetchTimestamp, long LastCaughtUpTimestamp);
