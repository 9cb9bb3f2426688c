using Rill.Common;
using Rill.Protocol.Messages;

namespace Rill.Raft;

public sealed partial class KafkaRaftClient
{
    private long SendVoteRequests(ElectionTally tally, bool preVote, long now)
    {
        // Keep asking only while the election can still be won.
        if (tally.IsRejected)
        {
            return long.MaxValue;
        }

        var untilRetry = long.MaxValue;
        foreach (var voter in tally.Unrecorded)
        {
            untilRetry = Math.Min(untilRetry, MaybeSend(voter, destination => BuildVoteRequest(destination, preVote), now));
        }

        return untilRetry;
    }

    private VoteRequest BuildVoteRequest(int destination, bool preVote)
    {
        // LastOffset is the log's end offset (exclusive), as Kafka fills it despite the name.
        var partition = new VoteRequest.PartitionData
        {
            PartitionIndex = MetadataTopicPartition.PartitionIndex,
            CandidateEpoch = _state.Epoch,
            CandidateId = _config.NodeId,
            CandidateDirectoryId = Uuid.Zero,
            VoterDirectoryId = Uuid.Zero,
            LastOffsetEpoch = _log.LastFetchedEpoch,
            LastOffset = _log.EndOffset,
        };
        if (preVote)
        {
            PreVoteField.Mark(partition);
        }

        return new VoteRequest
        {
            ClusterId = _config.ClusterId,
            VoterId = destination,
            Topics = [new VoteRequest.TopicData { TopicName = MetadataTopicPartition.TopicName, Partitions = [partition] }],
        };
    }

    /// <summary>
    /// A vote or pre-vote request (kafka: <c>handleVoteRequest</c>). A vote goes at most once per epoch, only to a
    /// candidate whose log (last epoch, then end offset) is at least as up to date as ours, and is stored before the
    /// answer leaves. A pre-vote changes nothing here, not even the epoch.
    /// </summary>
    private VoteResponse HandleVoteRequest(VoteRequest request, long now)
    {
        if (!HasValidClusterId(request.ClusterId))
        {
            return new VoteResponse { ErrorCode = (short)ErrorCode.InconsistentClusterId };
        }

        if (request.Topics is not [{ Partitions: [var partition] } topic]
            || !MetadataTopicPartition.Matches(topic.TopicName, partition.PartitionIndex))
        {
            return new VoteResponse { ErrorCode = (short)ErrorCode.InvalidRequest };
        }

        var preVote = PreVoteField.IsPreVote(partition);
        var candidateId = partition.CandidateId;
        var candidateEpoch = partition.CandidateEpoch;

        // A candidate bumped its epoch past everything in its log; a prospective asks in its current epoch, which its log may reach.
        if (partition.LastOffset < 0 || partition.LastOffsetEpoch < 0
            || (preVote ? partition.LastOffsetEpoch > candidateEpoch : partition.LastOffsetEpoch >= candidateEpoch))
        {
            return BuildVoteResponse(ErrorCode.InvalidRequest, voteGranted: false);
        }

        var error = ValidateVoterOnlyRequest(candidateId, candidateEpoch, request.VoterId);
        if (error != ErrorCode.None)
        {
            return BuildVoteResponse(error, voteGranted: false);
        }

        if (candidateEpoch > _state.Epoch && !preVote)
        {
            TransitionToUnattached(candidateEpoch, now);
        }

        var candidateLog = new OffsetAndEpoch(partition.LastOffset, partition.LastOffsetEpoch);
        var logUpToDate = CompareLogs(candidateLog, new OffsetAndEpoch(_log.EndOffset, _log.LastFetchedEpoch)) >= 0;

        // A pre-vote for a later epoch than ours is judged by the state we are in; a vote concerns our epoch by now.
        var granted = _state.CanGrantVote(candidateId, logUpToDate, preVote);
        if (granted && !preVote && _state.VotedId < 0)
        {
            TransitionToUnattachedVoted(candidateEpoch, candidateId, now);
        }

        RaftLog.VoteAnswered(_logger, preVote ? "pre-vote" : "vote", candidateId, candidateEpoch, granted, _state);
        return BuildVoteResponse(ErrorCode.None, granted);
    }

    /// <summary>Raft's "at least as up to date": the later last epoch wins, then the longer log.</summary>
    private static int CompareLogs(OffsetAndEpoch a, OffsetAndEpoch b) =>
        a.Epoch != b.Epoch ? a.Epoch.CompareTo(b.Epoch) : a.Offset.CompareTo(b.Offset);

    private VoteResponse BuildVoteResponse(ErrorCode partitionError, bool voteGranted) => new()
    {
        Topics =
        [
            new VoteResponse.TopicData
            {
                TopicName = MetadataTopicPartition.TopicName,
                Partitions =
                [
                    new VoteResponse.PartitionData
                    {
                        PartitionIndex = MetadataTopicPartition.PartitionIndex,
                        ErrorCode = (short)partitionError,
                        LeaderId = _state.LeaderId,
                        LeaderEpoch = _state.Epoch,
                        VoteGranted = voteGranted,
                    },
                ],
            },
        ],
        NodeEndpoints = LeaderNodeEndpoints(static (id, endpoint) =>
            new VoteResponse.NodeEndpoint { NodeId = id, Host = endpoint.Host, Port = (ushort)endpoint.Port }),
    };

    private bool HandleVoteResponse(int source, VoteResponse response, long now)
    {
        if (response.ErrorCode != 0)
        {
            return HandleTopLevelError((ErrorCode)response.ErrorCode, source);
        }

        if (response.Topics is not [{ Partitions: [var partition] } topic]
            || !MetadataTopicPartition.Matches(topic.TopicName, partition.PartitionIndex))
        {
            return false;
        }

        if (HandleQuorumPartitionResponse((ErrorCode)partition.ErrorCode, partition.LeaderId, partition.LeaderEpoch, source, now) is { } handled)
        {
            return handled;
        }

        switch (_state)
        {
            case CandidateState candidate:
                candidate.Tally.Record(source, partition.VoteGranted);
                if (partition.VoteGranted)
                {
                    MaybeBecomeLeader(candidate, now);
                }
                else if (candidate.Tally.IsRejected && !candidate.IsBackingOff)
                {
                    // Rejected by too many to win: back off at once rather than wait out the election timeout.
                    StartElectionBackoff(candidate, now);
                }

                break;
            case ProspectiveState prospective:
                prospective.Tally.Record(source, partition.VoteGranted);
                if (prospective.Tally.IsGranted)
                {
                    TransitionToCandidate(now);
                }

                break;
        }

        return true;
    }

    private bool HasValidClusterId(string? clusterId) => clusterId is null || clusterId == _config.ClusterId;
}
