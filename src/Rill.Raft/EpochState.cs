using Rill.Protocol.RaftRecords;

namespace Rill.Raft;

/// <summary>
/// One state of a Raft node within an epoch (kafka: <c>EpochState</c>). Voters move through Unattached, Prospective,
/// Candidate, Leader, Follower and Resigned; observers only through Unattached and Follower. What must survive a
/// restart (epoch, known leader, vote) is <see cref="ToQuorumStateData"/>.
/// </summary>
internal abstract class EpochState
{
    protected EpochState(int epoch, int leaderId, int votedId)
    {
        Epoch = epoch;
        LeaderId = leaderId;
        VotedId = votedId;
    }

    public int Epoch { get; }

    /// <summary>The leader of <see cref="Epoch"/> as this node knows it, or -1.</summary>
    public int LeaderId { get; }

    /// <summary>The candidate this node voted for in <see cref="Epoch"/>, or -1.</summary>
    public int VotedId { get; }

    public bool HasLeader => LeaderId >= 0;

    public abstract string Name { get; }

    /// <summary>
    /// Whether this state grants <paramref name="candidateId"/>'s vote (or pre-vote, which changes nothing here) when
    /// the candidate's log is <paramref name="logUpToDate"/> with ours (kafka: <c>EpochState.canGrantVote</c>).
    /// </summary>
    public abstract bool CanGrantVote(int candidateId, bool logUpToDate, bool preVote);

    public QuorumStateData ToQuorumStateData(IReadOnlyList<int> voters)
    {
        var data = new QuorumStateData { LeaderEpoch = Epoch, LeaderId = LeaderId, VotedId = VotedId, CurrentVoters = [] };
        foreach (var voter in voters)
        {
            data.CurrentVoters.Add(new QuorumStateData.Voter { VoterId = voter });
        }

        return data;
    }

    public override string ToString() => $"{Name}(epoch={Epoch}, leader={LeaderId}, voted={VotedId})";

    /// <summary>
    /// Unattached and prospective nodes (kafka: <c>unattachedOrProspectiveCanGrantVote</c>): a pre-vote only needs an
    /// up-to-date log; a vote goes to the one candidate already voted for, never while a leader is known, and
    /// otherwise to an up-to-date candidate.
    /// </summary>
    protected static bool UnattachedCanGrantVote(int leaderId, int votedId, int candidateId, bool logUpToDate, bool preVote)
    {
        if (preVote)
        {
            return logUpToDate;
        }

        if (votedId >= 0)
        {
            return votedId == candidateId;
        }

        return leaderId < 0 && logUpToDate;
    }
}

/// <summary>No leader known in this epoch; a voter stands (as prospective) when its election timeout expires.</summary>
internal sealed class UnattachedState : EpochState
{
    public UnattachedState(int epoch, int votedId, long electionDeadlineMs)
        : base(epoch, leaderId: -1, votedId)
    {
        ElectionDeadlineMs = electionDeadlineMs;
    }

    public long ElectionDeadlineMs { get; }

    public override string Name => "Unattached";

    public override bool CanGrantVote(int candidateId, bool logUpToDate, bool preVote) =>
        UnattachedCanGrantVote(LeaderId, VotedId, candidateId, logUpToDate, preVote);
}

/// <summary>
/// Asking the voters whether they would vote for this node, without bumping the epoch (KIP-996). It keeps the leader it
/// followed, if any, to go back to when the pre-vote fails.
/// </summary>
internal sealed class ProspectiveState : EpochState
{
    public ProspectiveState(int epoch, int leaderId, int votedId, ElectionTally tally, long electionDeadlineMs, int retries)
        : base(epoch, leaderId, votedId)
    {
        Tally = tally;
        ElectionDeadlineMs = electionDeadlineMs;
        Retries = retries;
    }

    public ElectionTally Tally { get; }

    public long ElectionDeadlineMs { get; }

    /// <summary>Lost elections so far in a row; it grows the candidate's backoff.</summary>
    public int Retries { get; }

    public override string Name => "Prospective";

    public override bool CanGrantVote(int candidateId, bool logUpToDate, bool preVote) =>
        UnattachedCanGrantVote(LeaderId, VotedId, candidateId, logUpToDate, preVote);
}

/// <summary>Standing for election in a bumped epoch, having voted for itself.</summary>
internal sealed class CandidateState : EpochState
{
    public CandidateState(int epoch, int localId, ElectionTally tally, long electionDeadlineMs, int retries)
        : base(epoch, leaderId: -1, votedId: localId)
    {
        Tally = tally;
        ElectionDeadlineMs = electionDeadlineMs;
        Retries = retries;
    }

    public ElectionTally Tally { get; }

    public long ElectionDeadlineMs { get; }

    public int Retries { get; }

    /// <summary>When the backoff after a lost election ends; -1 while the election still runs.</summary>
    public long BackoffDeadlineMs { get; set; } = -1;

    public bool IsBackingOff => BackoffDeadlineMs >= 0;

    public override string Name => "Candidate";

    /// <summary>A candidate has voted for itself; it only says whether another one could win a pre-vote.</summary>
    public override bool CanGrantVote(int candidateId, bool logUpToDate, bool preVote) => preVote && logUpToDate;
}

/// <summary>Replicating from a known leader; a voter stands when it has not fetched successfully for the fetch timeout.</summary>
internal sealed class FollowerState : EpochState
{
    public FollowerState(int epoch, int leaderId, int votedId, long fetchDeadlineMs)
        : base(epoch, leaderId, votedId)
    {
        FetchDeadlineMs = fetchDeadlineMs;
    }

    public long FetchDeadlineMs { get; set; }

    /// <summary>
    /// Set by a successful fetch from the leader; while it is, pre-votes are refused so that a node cut off from a live
    /// leader cannot start an election (KIP-996). An EndQuorumEpoch from the leader clears it: that leader is going.
    /// </summary>
    public bool HasFetchedFromLeader { get; set; }

    /// <summary>The snapshot being downloaded with FetchSnapshot; Fetch pauses meanwhile.</summary>
    public SnapshotDownload? Snapshot { get; set; }

    public override string Name => "Follower";

    public override bool CanGrantVote(int candidateId, bool logUpToDate, bool preVote) =>
        preVote && !HasFetchedFromLeader && logUpToDate;
}

/// <summary>
/// A leader that stepped down (shutdown, lost its quorum, or restarted as leader): it tells the voters with
/// EndQuorumEpoch, votes for nobody else in its epoch, and stands again when its election timeout expires.
/// </summary>
internal sealed class ResignedState : EpochState
{
    public ResignedState(int epoch, int localId, IReadOnlyList<int> preferredSuccessors, IEnumerable<int> otherVoters, long electionDeadlineMs)
        : base(epoch, leaderId: localId, votedId: localId)
    {
        PreferredSuccessors = preferredSuccessors;
        UnackedVoters = [.. otherVoters];
        ElectionDeadlineMs = electionDeadlineMs;
    }

    public IReadOnlyList<int> PreferredSuccessors { get; }

    public HashSet<int> UnackedVoters { get; }

    public long ElectionDeadlineMs { get; }

    public override string Name => "Resigned";

    public override bool CanGrantVote(int candidateId, bool logUpToDate, bool preVote) => false;
}

/// <summary>A snapshot a follower is downloading: what is written, and the tail of the last slice that is not a whole batch yet.</summary>
internal sealed class SnapshotDownload : IDisposable
{
    public SnapshotDownload(IRawSnapshotWriter writer)
    {
        Writer = writer;
    }

    public IRawSnapshotWriter Writer { get; }

    public OffsetAndEpoch SnapshotId => Writer.SnapshotId;

    /// <summary>Bytes received but not yet appended because they do not end on a batch boundary.</summary>
    public byte[] Pending { get; set; } = [];

    /// <summary>Where the next FetchSnapshot slice starts: everything received so far.</summary>
    public long Position => Writer.SizeInBytes + Pending.Length;

    public void Dispose() => Writer.Dispose();
}
