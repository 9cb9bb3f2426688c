using Rill.Common;
using Rill.Protocol.Messages;

namespace Rill.Raft;

public sealed partial class KafkaRaftClient
{
    /// <summary>
    /// Moves to <paramref name="next"/>. A durable transition writes the quorum state first (Raft's persistence rule:
    /// nothing that depends on a vote or epoch leaves this node before the state is stored).
    /// </summary>
    private void TransitionTo(EpochState next, bool durable)
    {
        if (durable)
        {
            _quorumState.Write(next.ToQuorumStateData(_voters));
        }

        var previous = _state;
        if (previous is FollowerState { Snapshot: { } download })
        {
            download.Dispose();
        }

        _state = next;
        _requests.ResetAll();
        Volatile.Write(ref _leaderAndEpoch, Pack(new LeaderAndEpoch(next.LeaderId, next.Epoch)));
        if (previous is LeaderState)
        {
            _accumulator?.Close();
            _accumulator = null;

            // Answered with the new state, so that followers learn the new epoch or leader if this node knows it.
            CompleteAllHeldFetches(ErrorCode.NotLeaderOrFollower);
        }

        if (previous is null || previous.GetType() != next.GetType() || previous.Epoch != next.Epoch || previous.LeaderId != next.LeaderId)
        {
            RaftLog.Transitioned(_logger, _config.NodeId, next.Name, next.Epoch, next.LeaderId, previous?.Name ?? "start");
        }
    }

    /// <summary>A newer epoch with no known leader.</summary>
    private void TransitionToUnattached(int epoch, long now)
    {
        if (epoch <= _state.Epoch)
        {
            throw new InvalidOperationException($"cannot go unattached in epoch {epoch} from {_state}");
        }

        // As Kafka: a node already waiting for an election keeps its timer, so that epoch bumps it hears do not reset it forever.
        var deadline = _state switch
        {
            CandidateState candidate => candidate.ElectionDeadlineMs,
            ProspectiveState prospective => prospective.ElectionDeadlineMs,
            UnattachedState unattached => unattached.ElectionDeadlineMs,
            _ => ElectionDeadline(now),
        };
        TransitionTo(new UnattachedState(epoch, votedId: -1, deadline), durable: true);
    }

    /// <summary>Grants the vote of <paramref name="epoch"/> to <paramref name="candidateId"/>, stored before the answer leaves.</summary>
    private void TransitionToUnattachedVoted(int epoch, int candidateId, long now) =>
        TransitionTo(new UnattachedState(epoch, candidateId, ElectionDeadline(now)), durable: true);

    private void TransitionToFollower(int epoch, int leaderId, long now)
    {
        if (leaderId == _config.NodeId || epoch < _state.Epoch || epoch == _state.Epoch && _state is LeaderState)
        {
            throw new InvalidOperationException($"cannot follow {leaderId} in epoch {epoch} from {_state}");
        }

        var votedId = epoch == _state.Epoch && _isVoter ? _state.VotedId : -1;
        TransitionTo(new FollowerState(epoch, leaderId, votedId, now + _config.FetchTimeoutMs), durable: true);
    }

    /// <summary>Starts a pre-vote in the current epoch (KIP-996); nothing is stored, since nothing changed that must survive.</summary>
    private void TransitionToProspective(long now, int retries)
    {
        var leaderId = _state is FollowerState or ProspectiveState ? _state.LeaderId : -1;
        var tally = new ElectionTally(_voters, _config.NodeId);
        TransitionTo(new ProspectiveState(_state.Epoch, leaderId, _state.VotedId, tally, ElectionDeadline(now), retries), durable: false);
        if (tally.IsGranted)
        {
            TransitionToCandidate(now);
        }
    }

    /// <summary>Bumps the epoch and votes for itself, stored before any vote request leaves.</summary>
    private void TransitionToCandidate(long now)
    {
        var retries = (_state is ProspectiveState prospective ? prospective.Retries : 0) + 1;
        var candidate = new CandidateState(_state.Epoch + 1, _config.NodeId, new ElectionTally(_voters, _config.NodeId), ElectionDeadline(now), retries);
        TransitionTo(candidate, durable: true);
        MaybeBecomeLeader(candidate, now);
    }

    private void StartElectionBackoff(CandidateState state, long now)
    {
        var backoffMs = ElectionBackoffMs(state.Retries);
        state.BackoffDeadlineMs = now + backoffMs;
        RaftLog.ElectionLost(_logger, state.Epoch, state.Tally.Rejecting, backoffMs);
    }

    /// <summary>
    /// With a majority, the candidate leads its epoch: it stores that, then appends a LeaderChange control batch at the
    /// start of the epoch, so that the high watermark can move as soon as a majority has it (kafka: <c>onBecomeLeader</c>).
    /// </summary>
    private void MaybeBecomeLeader(CandidateState candidate, long now)
    {
        if (!candidate.Tally.IsGranted)
        {
            return;
        }

        var epochStartOffset = _log.EndOffset;
        var leader = new LeaderState(candidate.Epoch, _config.NodeId, epochStartOffset, _voters, candidate.Tally.Granting,
            _config.FetchTimeoutMs, now);
        TransitionTo(leader, durable: true);

        var message = new LeaderChangeMessage
        {
            Version = RaftBatches.ControlRecordVersion,
            LeaderId = _config.NodeId,
            Voters = [.. Array.ConvertAll(_voters, static v => new LeaderChangeMessage.Voter { VoterId = v })],
            GrantingVoters = [.. leader.GrantingVoters.Select(static v => new LeaderChangeMessage.Voter { VoterId = v })],
        };
        var batch = RaftBatches.BuildControl(epochStartOffset, leader.Epoch, WallMs(), ControlRecordType.LeaderChange, message);
        var info = _log.AppendAsLeader(batch, leader.Epoch);
        if (info.FirstOffset != epochStartOffset)
        {
            throw new InvalidOperationException($"the log put the LeaderChange record at {info.FirstOffset}, not at its end {epochStartOffset}");
        }

        _log.Flush();
        _accumulator = new BatchAccumulator(leader.Epoch, _log.EndOffset, _config.AppendLingerMs);
        RaftLog.Elected(_logger, _config.NodeId, leader.Epoch, epochStartOffset, leader.GrantingVoters);
        OnLeaderLogAppended(leader, now);
    }

    private void TransitionToResigned(IReadOnlyList<int> preferredSuccessors, long now)
    {
        RaftLog.Resigned(_logger, _state.Epoch, preferredSuccessors);
        TransitionTo(new ResignedState(_state.Epoch, _config.NodeId, preferredSuccessors, _otherVoters, ElectionDeadline(now)), durable: false);
    }

    /// <summary>
    /// Follows what a request or response says about the leader and epoch (kafka: <c>maybeTransition</c>): a newer epoch
    /// with a leader makes this node follow it, without one makes it wait unattached; a leader of the current epoch that
    /// was unknown is followed.
    /// </summary>
    private void MaybeTransition(int leaderId, int epoch, long now)
    {
        if (leaderId >= 0 && Array.IndexOf(_voters, leaderId) < 0)
        {
            RaftLog.LeaderNotAVoter(_logger, leaderId, epoch, _voters);
            return;
        }

        if (leaderId == _config.NodeId && (epoch > _state.Epoch || _state is not (LeaderState or ResignedState)))
        {
            // A peer names this node leader of an epoch it does not lead: the peer is confused, not this node.
            RaftLog.InconsistentLeader(_logger, leaderId, epoch, _state);
            if (epoch > _state.Epoch)
            {
                TransitionToUnattached(epoch, now);
            }

            return;
        }

        if (epoch > _state.Epoch)
        {
            if (leaderId >= 0)
            {
                TransitionToFollower(epoch, leaderId, now);
            }
            else
            {
                TransitionToUnattached(epoch, now);
            }
        }
        else if (epoch == _state.Epoch && leaderId >= 0 && leaderId != _config.NodeId && !_state.HasLeader)
        {
            TransitionToFollower(epoch, leaderId, now);
        }
    }

    /// <summary>
    /// The checks Vote, BeginQuorumEpoch, EndQuorumEpoch and Fetch responses share once their one partition is found:
    /// the common leader and epoch handling, then any other error refused as unexpected. Null when the response's own
    /// handling should go on with a successful answer; otherwise whether the exchange succeeded.
    /// </summary>
    private bool? HandleQuorumPartitionResponse(ErrorCode error, int leaderId, int epoch, int source, long now)
    {
        if (MaybeHandleCommonResponse(error, leaderId, epoch, source, now) is { } handled)
        {
            return handled;
        }

        if (error != ErrorCode.None)
        {
            RaftLog.UnexpectedError(_logger, source, error);
            return false;
        }

        return null;
    }

    /// <summary>
    /// What every response says about the quorum, before its own handling (kafka: <c>maybeHandleCommonResponse</c>).
    /// Null when the response's own handler should run; otherwise whether the exchange succeeded.
    /// </summary>
    private bool? MaybeHandleCommonResponse(ErrorCode error, int leaderId, int epoch, int source, long now)
    {
        if (epoch < _state.Epoch || error == ErrorCode.UnknownLeaderEpoch)
        {
            // This node already knows a newer epoch: the answer no longer matters.
            return true;
        }

        if (epoch > _state.Epoch || error is ErrorCode.FencedLeaderEpoch or ErrorCode.NotLeaderOrFollower)
        {
            MaybeTransition(leaderId, epoch, now);
            return true;
        }

        if (leaderId >= 0 && !_state.HasLeader && leaderId != _config.NodeId)
        {
            // A leader of this epoch we did not know: follow it, and take a successful answer's contents right away.
            MaybeTransition(leaderId, epoch, now);
            return error == ErrorCode.None ? null : true;
        }

        switch (error)
        {
            case ErrorCode.None:
            case ErrorCode.SnapshotNotFound:
                // For the response's own handler: SNAPSHOT_NOT_FOUND restarts a snapshot download.
                return null;
            case ErrorCode.BrokerNotAvailable:
                return false;
            case ErrorCode.InconsistentClusterId:
                RaftLog.InconsistentClusterId(_logger, source, _config.ClusterId);
                return false;
            case ErrorCode.InconsistentVoterSet:
                RaftLog.InconsistentVoterSet(_logger, source, _voters);
                return false;
            default:
                RaftLog.UnexpectedError(_logger, source, error);
                return false;
        }
    }

    /// <summary>A top-level error of a response: the request never reached the Raft client on the other side.</summary>
    private bool HandleTopLevelError(ErrorCode error, int source)
    {
        switch (error)
        {
            case ErrorCode.InconsistentClusterId:
                RaftLog.InconsistentClusterId(_logger, source, _config.ClusterId);
                break;
            case ErrorCode.BrokerNotAvailable:
                break;
            default:
                RaftLog.UnexpectedError(_logger, source, error);
                break;
        }

        return false;
    }

    /// <summary>
    /// Checks a request that only voters send (Vote, BeginQuorumEpoch, EndQuorumEpoch): an older epoch is fenced; with
    /// static voters, a sender or receiver outside the configured voters means the nodes disagree on
    /// controller.quorum.voters (kafka's KIP-595 INCONSISTENT_VOTER_SET).
    /// </summary>
    private ErrorCode ValidateVoterOnlyRequest(int remoteId, int requestEpoch, int intendedVoterId)
    {
        if (requestEpoch < _state.Epoch)
        {
            return ErrorCode.FencedLeaderEpoch;
        }

        if (remoteId < 0)
        {
            return ErrorCode.InvalidRequest;
        }

        if (!_isVoter || Array.IndexOf(_voters, remoteId) < 0 || intendedVoterId >= 0 && intendedVoterId != _config.NodeId)
        {
            return ErrorCode.InconsistentVoterSet;
        }

        return ErrorCode.None;
    }

    /// <summary>Checks a request meant for the leader of <paramref name="requestEpoch"/> (kafka: <c>validateLeaderOnlyRequest</c>).</summary>
    private ErrorCode ValidateLeaderOnlyRequest(int requestEpoch)
    {
        if (requestEpoch < _state.Epoch)
        {
            return ErrorCode.FencedLeaderEpoch;
        }

        if (requestEpoch > _state.Epoch)
        {
            return ErrorCode.UnknownLeaderEpoch;
        }

        return _state is LeaderState ? ErrorCode.None : ErrorCode.NotLeaderOrFollower;
    }

    /// <summary>Publishes a higher committed offset (it never moves back) and tells the log.</summary>
    private void SetHighWatermark(long highWatermark)
    {
        if (highWatermark <= _highWatermark)
        {
            return;
        }

        if (_highWatermark < 0)
        {
            RaftLog.HighWatermarkKnown(_logger, highWatermark, _state.Epoch);
        }

        Volatile.Write(ref _highWatermark, highWatermark);
        _log.UpdateHighWatermark(highWatermark);
        MaybeDeleteBeforeSnapshot();
    }

    /// <summary>
    /// Starts a graceful shutdown: a leader resigns at once and tells the voters with EndQuorumEpoch, naming the most
    /// caught-up ones as successors, then waits (at most a request timeout) until a new leader is known.
    /// </summary>
    internal void BeginShutdown()
    {
        lock (_pollLock)
        {
            if (_shutdownDeadlineMs >= 0)
            {
                return;
            }

            _shutdownDeadlineMs = NowMs() + _config.RequestTimeoutMs;
            if (_state is LeaderState leader)
            {
                leader.ResignRequested = true;
            }
        }

        _wakeup.Signal();
    }

    private bool MaybeCompleteShutdown(long now)
    {
        if (_shutdownComplete)
        {
            return true;
        }

        var handingOver = _state is LeaderState || _state is ResignedState && _otherVoters.Length > 0;
        if (!handingOver || now >= _shutdownDeadlineMs)
        {
            _shutdownComplete = true;
            RaftLog.ShutdownComplete(_logger, _config.NodeId, _state);
            return true;
        }

        return false;
    }
}
