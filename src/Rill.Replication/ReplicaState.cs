namespace Rill.Replication;

/// <summary>
/// What a leader knows of one follower, learned from its fetches (kafka: <c>Replica</c>, <c>ReplicaState</c>).
/// <see cref="LastCaughtUpTimeMs"/> is the latest time the follower was known to have everything the leader had: a
/// fetch from the leader's log end, or from at least where the leader's log ended at the follower's previous fetch
/// (which then counts as of that previous fetch). ISR shrink and the high watermark read it.
/// </summary>
/// <param name="LogStartOffset">The follower's log start offset from its last fetch; -1 before one.</param>
/// <param name="LogEndOffset">The follower's fetch offset: everything below it is on the follower; -1 before one.</param>
/// <param name="LastFetchLeaderLogEndOffset">The leader's log end offset when the follower last fetched.</param>
/// <param name="LastFetchTimeMs">When the follower last fetched.</param>
/// <param name="LastCaughtUpTimeMs">The latest time the follower had caught up with the leader's log end.</param>
/// <param name="BrokerEpoch">The broker epoch the follower fetched with (-1 when its request version has none); null before a fetch.</param>
internal readonly record struct ReplicaState(
    long LogStartOffset,
    long LogEndOffset,
    long LastFetchLeaderLogEndOffset,
    long LastFetchTimeMs,
    long LastCaughtUpTimeMs,
    long? BrokerEpoch)
{
    /// <summary>Kafka's UnknownOffset: the follower's position is not known.</summary>
    public const long UnknownOffset = -1;

    public static readonly ReplicaState Empty = new(UnknownOffset, UnknownOffset, 0, 0, 0, null);

    /// <summary>In sync for ISR purposes: at the leader's log end, or caught up within the last <paramref name="replicaLagTimeMaxMs"/>.</summary>
    public bool IsCaughtUp(long leaderEndOffset, long nowMs, long replicaLagTimeMaxMs) =>
        leaderEndOffset == LogEndOffset || nowMs - LastCaughtUpTimeMs <= replicaLagTimeMaxMs;

    /// <summary>The state after a fetch from <paramref name="fetchOffset"/> at <paramref name="fetchTimeMs"/>, when the leader's log ended at <paramref name="leaderEndOffset"/>.</summary>
    public ReplicaState AfterFetch(long fetchOffset, long followerStartOffset, long fetchTimeMs, long leaderEndOffset, long brokerEpoch)
    {
        var lastCaughtUp = fetchOffset >= leaderEndOffset ? Math.Max(LastCaughtUpTimeMs, fetchTimeMs)
            : fetchOffset >= LastFetchLeaderLogEndOffset ? Math.Max(LastCaughtUpTimeMs, LastFetchTimeMs)
            : LastCaughtUpTimeMs;
        return new ReplicaState(
            followerStartOffset,
            fetchOffset,
            Math.Max(leaderEndOffset, LastFetchLeaderLogEndOffset),
            fetchTimeMs,
            lastCaughtUp,
            brokerEpoch);
    }

    /// <summary>
    /// The state when this broker takes a new leader epoch (kafka: <c>Replica.resetReplicaState</c>). A new leader knows
    /// nothing of the follower's position; one staying leader keeps it. An in-sync follower counts as caught up now, so it
    /// is not dropped before it could fetch; any other one counts as never caught up, so it holds back nothing.
    /// </summary>
    public ReplicaState Reset(long nowMs, long leaderEndOffset, bool isNewLeader, bool isFollowerInSync)
    {
        var lastCaughtUp = isFollowerInSync ? nowMs : 0;
        return isNewLeader
            ? Empty with { LastFetchLeaderLogEndOffset = UnknownOffset, LastCaughtUpTimeMs = lastCaughtUp }
            : this with { LastFetchLeaderLogEndOffset = leaderEndOffset, LastFetchTimeMs = lastCaughtUp, LastCaughtUpTimeMs = lastCaughtUp };
    }
}
