using Rill.Protocol.RaftRecords;

namespace Rill.Raft.Tests.Simulation;

/// <summary>
/// The safety properties of the quorum (kafka: <c>RaftEventSimulationTest</c>'s invariants; R7), checked after every
/// event: one leader per epoch ever, one vote per epoch per voter, epochs and high watermarks that never move back,
/// a majority that durably holds what the high watermark claims, identical committed prefixes, and leaders that hold
/// every committed record.
/// </summary>
internal sealed class InvariantChecker
{
    private readonly SimulatedCluster _cluster;
    private readonly Dictionary<int, int> _leaders = [];
    private readonly Dictionary<(int Node, int Epoch), int> _votes = [];
    private readonly SortedDictionary<int, long> _leaderHighWatermarks = [];

    public InvariantChecker(SimulatedCluster cluster)
    {
        _cluster = cluster;
    }

    public int LeadersElected => _leaders.Count;

    /// <summary>Every quorum-state write, as it reaches the disk.</summary>
    public void OnQuorumStateWritten(SimulatedNode node, QuorumStateData data)
    {
        var state = StoredQuorumState.From(data);
        if (state.Epoch < node.StoredEpoch)
        {
            throw new SimulationFailure("MonotonicEpoch", $"node {node.Id} stored epoch {state.Epoch} after epoch {node.StoredEpoch}");
        }

        if (state.LeaderId >= 0)
        {
            RecordLeader(state.Epoch, state.LeaderId, $"node {node.Id}'s stored state");
        }

        if (_votes.TryGetValue((node.Id, state.Epoch), out var voted) && voted != state.VotedId)
        {
            throw new SimulationFailure("OneVotePerEpoch",
                $"node {node.Id} stored vote {state.VotedId} in epoch {state.Epoch} after it stored vote {voted}");
        }

        if (state.VotedId >= 0)
        {
            _votes[(node.Id, state.Epoch)] = state.VotedId;
        }

        node.StoredEpoch = state.Epoch;
    }

    public void CheckAfterEvent()
    {
        var maxHighWatermark = -1L;
        foreach (var node in _cluster.Nodes)
        {
            if (node.Client is not { } client)
            {
                continue;
            }

            var state = client.State;
            if (state.Epoch != node.StoredEpoch)
            {
                throw new SimulationFailure("MonotonicEpoch", $"node {node.Id} runs in epoch {state.Epoch} but stored epoch {node.StoredEpoch}");
            }

            if (client.IsLeader)
            {
                RecordLeader(state.Epoch, node.Id, $"node {node.Id}'s state");
                if (node.CheckedLeaderEpoch != state.Epoch)
                {
                    node.CheckedLeaderEpoch = state.Epoch;
                    CheckLeaderHoldsTheCommittedLog(node);
                }

                CheckLeaderHighWatermark(node, state.Epoch, client.LeaderHighWatermark);
                if (client.LeaderHighWatermark > node.Log.FlushedOffset)
                {
                    throw new SimulationFailure("MajorityHasHighWatermark",
                        $"leader {node.Id}'s high watermark {client.LeaderHighWatermark} is past its own flushed offset {node.Log.FlushedOffset}");
                }
            }

            var highWatermark = client.HighWatermark;
            if (highWatermark < node.IncarnationHighWatermark)
            {
                throw new SimulationFailure("MonotonicHighWatermark",
                    $"node {node.Id}'s high watermark went back from {node.IncarnationHighWatermark} to {highWatermark}");
            }

            if (highWatermark > node.Log.EndOffset)
            {
                throw new SimulationFailure("HighWatermarkInLog", $"node {node.Id}'s high watermark {highWatermark} is past its log end {node.Log.EndOffset}");
            }

            node.IncarnationHighWatermark = highWatermark;
            maxHighWatermark = Math.Max(maxHighWatermark, highWatermark);
            if (highWatermark > node.CheckedUpTo)
            {
                CheckCommittedLog(node, highWatermark);
            }
        }

        _cluster.History.ObserveCommittedEnd(maxHighWatermark);
        CheckMajorityHoldsTheHighWatermark();
    }

    /// <summary>
    /// What leaders announce only grows: within an epoch, and from one epoch to a later one (a leader of an older epoch
    /// cut off from the quorum may lag behind, but no newer leader may announce less than an older one did).
    /// </summary>
    private void CheckLeaderHighWatermark(SimulatedNode leader, int epoch, long highWatermark)
    {
        if (highWatermark < 0)
        {
            return;
        }

        foreach (var (announcedEpoch, announced) in _leaderHighWatermarks)
        {
            if (announcedEpoch > epoch)
            {
                break;
            }

            if (highWatermark < announced)
            {
                throw new SimulationFailure("MonotonicHighWatermark",
                    $"leader {leader.Id} of epoch {epoch} announces high watermark {highWatermark}, below {announced} announced in epoch {announcedEpoch}");
            }
        }

        _leaderHighWatermarks[epoch] = highWatermark;
    }

    private void RecordLeader(int epoch, int leaderId, string source)
    {
        if (_leaders.TryGetValue(epoch, out var known))
        {
            if (known != leaderId)
            {
                throw new SimulationFailure("SingleLeaderPerEpoch", $"{source} names leader {leaderId} of epoch {epoch}, which node {known} led");
            }

            return;
        }

        _leaders[epoch] = leaderId;
        _cluster.Trace($"node {leaderId} leads epoch {epoch}");
    }

    /// <summary>The batches this node committed since the last check must be the ones every other node committed there.</summary>
    private void CheckCommittedLog(SimulatedNode node, long highWatermark)
    {
        foreach (var (baseOffset, lastOffset, _, bytes) in node.Log.BatchesFrom(node.CheckedUpTo))
        {
            if (lastOffset >= highWatermark)
            {
                break;
            }

            _cluster.History.ObserveBatch(node.Id, baseOffset, bytes);
        }

        node.CheckedUpTo = highWatermark;
    }

    /// <summary>Raft's leader completeness: a new leader's log holds every batch the quorum committed (what a snapshot replaced excepted).</summary>
    private void CheckLeaderHoldsTheCommittedLog(SimulatedNode leader)
    {
        var committedEnd = _cluster.History.CommittedEnd;
        var log = leader.Log;
        if (log.EndOffset < committedEnd)
        {
            throw new SimulationFailure("NoCommittedEntryLost",
                $"node {leader.Id} leads epoch {leader.Client!.State.Epoch} with a log ending at {log.EndOffset}, before the committed {committedEnd}");
        }

        foreach (var (baseOffset, lastOffset, _, bytes) in log.BatchesFrom(log.StartOffset))
        {
            if (lastOffset >= committedEnd)
            {
                break;
            }

            if (_cluster.History.TryGetBatch(baseOffset, out var committed) && !committed.AsSpan().SequenceEqual(bytes))
            {
                throw new SimulationFailure("NoCommittedEntryLost",
                    $"node {leader.Id} leads epoch {leader.Client!.State.Epoch} with a different batch at committed offset {baseOffset}");
            }
        }
    }

    /// <summary>A majority of voters has durably (what a crash keeps) every offset below the highest high watermark shown.</summary>
    private void CheckMajorityHoldsTheHighWatermark()
    {
        var committedEnd = _cluster.History.CommittedEnd;
        if (committedEnd <= 0)
        {
            return;
        }

        var holding = 0;
        foreach (var node in _cluster.Nodes)
        {
            if (node.IsVoter && node.Log.DurableOffset >= committedEnd)
            {
                holding++;
            }
        }

        if (holding < _cluster.MajoritySize)
        {
            throw new SimulationFailure("MajorityHasHighWatermark",
                $"only {holding} voters durably hold offset {committedEnd - 1}, below the high watermark {committedEnd}; a majority is {_cluster.MajoritySize}");
        }
    }
}
