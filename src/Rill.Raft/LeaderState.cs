namespace Rill.Raft;

/// <summary>
/// The elected leader of an epoch (kafka: <c>LeaderState</c>): what each voter and observer has replicated, and the
/// high watermark. An offset commits once a majority of voters has it durably (the leader counts its flushed offset,
/// a voter the offset it fetches from, which it flushed before asking) and it lies past the start of this epoch, so
/// that the leader has committed a record of its own epoch before anything older counts as committed.
/// </summary>
internal sealed class LeaderState : EpochState
{
    /// <summary>An observer that has not fetched for this long is forgotten (kafka: <c>OBSERVER_SESSION_TIMEOUT_MS</c>).</summary>
    public const long ObserverSessionTimeoutMs = 300_000;

    private readonly int _localId;
    private readonly int _checkQuorumTimeoutMs;
    private readonly HashSet<int> _fetchedVoters = [];

    public LeaderState(int epoch, int localId, long epochStartOffset, IReadOnlyList<int> voters, IReadOnlyList<int> grantingVoters,
        int fetchTimeoutMs, long nowMs)
        : base(epoch, leaderId: localId, votedId: localId)
    {
        _localId = localId;
        EpochStartOffset = epochStartOffset;
        GrantingVoters = grantingVoters;
        foreach (var voter in voters)
        {
            Voters[voter] = new ReplicaProgress(voter);
        }

        // Kafka's check-quorum timeout: one and a half fetch timeouts, to allow for network and disk delays.
        _checkQuorumTimeoutMs = fetchTimeoutMs * 3 / 2;
        CheckQuorumDeadlineMs = nowMs + _checkQuorumTimeoutMs;
        BeginQuorumEpochIntervalMs = fetchTimeoutMs / 2;
    }

    /// <summary>The offset of this epoch's LeaderChange record: the log end when this node was elected.</summary>
    public long EpochStartOffset { get; }

    public IReadOnlyList<int> GrantingVoters { get; }

    public Dictionary<int, ReplicaProgress> Voters { get; } = [];

    public Dictionary<int, ReplicaProgress> Observers { get; } = [];

    /// <summary>-1 until a majority has replicated past <see cref="EpochStartOffset"/>.</summary>
    public long HighWatermark { get; private set; } = -1;

    /// <summary>When the leader resigns unless a majority of voters fetched in the meantime (Kafka's check quorum).</summary>
    public long CheckQuorumDeadlineMs { get; private set; }

    public long BeginQuorumEpochDeadlineMs { get; set; }

    public int BeginQuorumEpochIntervalMs { get; }

    /// <summary>The leader asked to step down (shutdown); it resigns on the next poll.</summary>
    public bool ResignRequested { get; set; }

    public override string Name => "Leader";

    public override bool CanGrantVote(int candidateId, bool logUpToDate, bool preVote) => false;

    /// <summary>The leader's own durable end; true when the high watermark moved.</summary>
    public bool UpdateLocal(long flushedOffset, long logEndOffset)
    {
        var self = Voters[_localId];
        if (flushedOffset < self.EndOffset)
        {
            throw new InvalidOperationException($"the leader's flushed offset went back from {self.EndOffset} to {flushedOffset}");
        }

        self.EndOffset = flushedOffset;
        self.LogEndOffset = logEndOffset;
        return MaybeUpdateHighWatermark();
    }

    /// <summary>
    /// A replica fetched from <paramref name="fetchOffset"/>; true when that moved the high watermark. Observers are
    /// tracked for DescribeQuorum only.
    /// </summary>
    public bool UpdateReplica(int replicaId, long fetchOffset, long nowMs, long wallNowMs, long leaderEndOffset)
    {
        var isVoter = Voters.TryGetValue(replicaId, out var progress);
        if (!isVoter && !Observers.TryGetValue(replicaId, out progress))
        {
            progress = new ReplicaProgress(replicaId);
            Observers[replicaId] = progress;
        }

        progress!.RecordFetch(fetchOffset, nowMs, wallNowMs, leaderEndOffset);
        RecordVoterFetch(replicaId, nowMs);
        return isVoter && MaybeUpdateHighWatermark();
    }

    /// <summary>The replica's progress, once it has fetched in this epoch.</summary>
    public ReplicaProgress? Replica(int replicaId) =>
        Voters.TryGetValue(replicaId, out var voter) ? voter : Observers.GetValueOrDefault(replicaId);

    /// <summary>A voter fetched (Fetch or FetchSnapshot): it counts towards the check quorum.</summary>
    public void RecordVoterFetch(int replicaId, long nowMs)
    {
        if (!Voters.ContainsKey(replicaId) || replicaId == _localId)
        {
            return;
        }

        _fetchedVoters.Add(replicaId);

        // The leader is part of the majority itself, so it needs one voter fewer to have fetched.
        var needed = Voters.Count / 2;
        if (_fetchedVoters.Count >= needed)
        {
            _fetchedVoters.Clear();
            CheckQuorumDeadlineMs = nowMs + _checkQuorumTimeoutMs;
        }
    }

    public bool HasCheckQuorumExpired(long nowMs) => Voters.Count > 1 && nowMs >= CheckQuorumDeadlineMs;

    public long CheckQuorumRemainingMs(long nowMs) => Voters.Count > 1 ? Math.Max(0, CheckQuorumDeadlineMs - nowMs) : long.MaxValue;

    /// <summary>The other voters, most caught up first: the order in which they should stand when this leader resigns.</summary>
    public IReadOnlyList<int> SuccessorsByDescendingOffset()
    {
        var others = new List<ReplicaProgress>();
        foreach (var progress in Voters.Values)
        {
            if (progress.NodeId != _localId)
            {
                others.Add(progress);
            }
        }

        others.Sort(static (a, b) => a.EndOffset != b.EndOffset ? b.EndOffset.CompareTo(a.EndOffset) : a.NodeId.CompareTo(b.NodeId));
        return others.ConvertAll(static p => p.NodeId);
    }

    public void ExpireObservers(long nowMs)
    {
        List<int>? expired = null;
        foreach (var (id, progress) in Observers)
        {
            if (nowMs - progress.LastFetchMs >= ObserverSessionTimeoutMs)
            {
                (expired ??= []).Add(id);
            }
        }

        if (expired is not null)
        {
            foreach (var id in expired)
            {
                Observers.Remove(id);
            }
        }
    }

    private bool MaybeUpdateHighWatermark()
    {
        var offsets = new long[Voters.Count];
        var i = 0;
        foreach (var progress in Voters.Values)
        {
            offsets[i++] = progress.EndOffset;
        }

        Array.Sort(offsets);
        Array.Reverse(offsets);

        // The offset a majority has reached: with 3 voters the 2nd largest, with 5 the 3rd.
        var candidate = offsets[Voters.Count / 2];
        if (candidate > EpochStartOffset && candidate > HighWatermark)
        {
            HighWatermark = candidate;
            return true;
        }

        return false;
    }
}

/// <summary>What the leader knows of one replica (kafka: <c>LeaderState.ReplicaState</c>).</summary>
internal sealed class ReplicaProgress
{
    public ReplicaProgress(int nodeId)
    {
        NodeId = nodeId;
    }

    public int NodeId { get; }

    /// <summary>The offset the replica fetched from last (for the leader, its own flushed offset); -1 while unknown.</summary>
    public long EndOffset { get; set; } = -1;

    /// <summary>The leader's own log end, unflushed part included, for DescribeQuorum; -1 for other replicas.</summary>
    public long LogEndOffset { get; set; } = -1;

    /// <summary>Wall clock of the last fetch, as Kafka's DescribeQuorum reports it.</summary>
    public long LastFetchTimestamp { get; private set; } = -1;

    /// <summary>Wall clock of the last time the replica had everything the leader had when it fetched before.</summary>
    public long LastCaughtUpTimestamp { get; private set; } = -1;

    /// <summary>Monotonic time of the last fetch, for expiring observers.</summary>
    public long LastFetchMs { get; private set; }

    /// <summary>The high watermark the last fetch answer to this replica carried; -1 before the first.</summary>
    public long HighWatermarkSent { get; set; } = -1;

    private long LastFetchLeaderEndOffset { get; set; } = -1;

    public void RecordFetch(long fetchOffset, long nowMs, long wallNowMs, long leaderEndOffset)
    {
        // As Kafka: caught up now if it reached the leader's end; caught up as of its previous fetch if it reached
        // the end the leader had then.
        if (fetchOffset >= leaderEndOffset)
        {
            LastCaughtUpTimestamp = Math.Max(LastCaughtUpTimestamp, wallNowMs);
        }
        else if (LastFetchLeaderEndOffset > 0 && fetchOffset >= LastFetchLeaderEndOffset)
        {
            LastCaughtUpTimestamp = Math.Max(LastCaughtUpTimestamp, LastFetchTimestamp);
        }

        LastFetchLeaderEndOffset = leaderEndOffset;
        LastFetchTimestamp = Math.Max(LastFetchTimestamp, wallNowMs);
        LastFetchMs = nowMs;
        EndOffset = fetchOffset;
    }
}
