using Rill.Common;
using Rill.Protocol.Messages;

namespace Rill.Raft;

public sealed partial class KafkaRaftClient
{
    /// <summary>The new leader tells every voter, again every half fetch timeout, so that those not fetching yet learn of it.</summary>
    private long MaybeSendBeginQuorumEpoch(LeaderState state, long now)
    {
        if (now < state.BeginQuorumEpochDeadlineMs)
        {
            return state.BeginQuorumEpochDeadlineMs - now;
        }

        foreach (var voter in _otherVoters)
        {
            MaybeSend(voter, BuildBeginQuorumEpochRequest, now);
        }

        state.BeginQuorumEpochDeadlineMs = now + state.BeginQuorumEpochIntervalMs;
        return state.BeginQuorumEpochIntervalMs;
    }

    private BeginQuorumEpochRequest BuildBeginQuorumEpochRequest(int destination) => new()
    {
        ClusterId = _config.ClusterId,
        VoterId = destination,
        Topics =
        [
            new BeginQuorumEpochRequest.TopicData
            {
                TopicName = MetadataTopicPartition.TopicName,
                Partitions =
                [
                    new BeginQuorumEpochRequest.PartitionData
                    {
                        PartitionIndex = MetadataTopicPartition.PartitionIndex,
                        VoterDirectoryId = Uuid.Zero,
                        LeaderId = _config.NodeId,
                        LeaderEpoch = _state.Epoch,
                    },
                ],
            },
        ],
        LeaderEndpoints = LocalEndpoints(static endpoint =>
            new BeginQuorumEpochRequest.LeaderEndpoint { Name = endpoint.ListenerName, Host = endpoint.Host, Port = (ushort)endpoint.Port }),
    };

    private EndQuorumEpochRequest BuildEndQuorumEpochRequest(ResignedState state)
    {
        var partition = new EndQuorumEpochRequest.PartitionData
        {
            PartitionIndex = MetadataTopicPartition.PartitionIndex,
            LeaderId = _config.NodeId,
            LeaderEpoch = state.Epoch,
            PreferredSuccessors = [.. state.PreferredSuccessors],
            PreferredCandidates = [.. state.PreferredSuccessors.Select(static id => new EndQuorumEpochRequest.ReplicaInfo { CandidateId = id })],
        };
        return new EndQuorumEpochRequest
        {
            ClusterId = _config.ClusterId,
            Topics = [new EndQuorumEpochRequest.TopicData { TopicName = MetadataTopicPartition.TopicName, Partitions = [partition] }],
            LeaderEndpoints = LocalEndpoints(static endpoint =>
                new EndQuorumEpochRequest.LeaderEndpoint { Name = endpoint.ListenerName, Host = endpoint.Host, Port = (ushort)endpoint.Port }),
        };
    }

    private BeginQuorumEpochResponse HandleBeginQuorumEpochRequest(BeginQuorumEpochRequest request, long now)
    {
        if (!HasValidClusterId(request.ClusterId))
        {
            return new BeginQuorumEpochResponse { ErrorCode = (short)ErrorCode.InconsistentClusterId };
        }

        if (request.Topics is not [{ Partitions: [var partition] } topic]
            || !MetadataTopicPartition.Matches(topic.TopicName, partition.PartitionIndex))
        {
            return new BeginQuorumEpochResponse { ErrorCode = (short)ErrorCode.InvalidRequest };
        }

        var error = ValidateVoterOnlyRequest(partition.LeaderId, partition.LeaderEpoch, request.VoterId);
        if (error == ErrorCode.None)
        {
            MaybeTransition(partition.LeaderId, partition.LeaderEpoch, now);
        }

        return BuildBeginQuorumEpochResponse(error);
    }

    private BeginQuorumEpochResponse BuildBeginQuorumEpochResponse(ErrorCode partitionError) => new()
    {
        Topics =
        [
            new BeginQuorumEpochResponse.TopicData
            {
                TopicName = MetadataTopicPartition.TopicName,
                Partitions =
                [
                    new BeginQuorumEpochResponse.PartitionData
                    {
                        PartitionIndex = MetadataTopicPartition.PartitionIndex,
                        ErrorCode = (short)partitionError,
                        LeaderId = _state.LeaderId,
                        LeaderEpoch = _state.Epoch,
                    },
                ],
            },
        ],
        NodeEndpoints = LeaderNodeEndpoints(static (id, endpoint) =>
            new BeginQuorumEpochResponse.NodeEndpoint { NodeId = id, Host = endpoint.Host, Port = (ushort)endpoint.Port }),
    };

    private bool HandleBeginQuorumEpochResponse(int source, BeginQuorumEpochResponse response, long now)
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

        return true;
    }

    /// <summary>
    /// The leader resigns (kafka: <c>handleEndQuorumEpochRequest</c>). Its followers stop refusing pre-votes on its
    /// account and stand after a backoff by their place among the preferred successors, the first one at once.
    /// </summary>
    private EndQuorumEpochResponse HandleEndQuorumEpochRequest(EndQuorumEpochRequest request, long now)
    {
        if (!HasValidClusterId(request.ClusterId))
        {
            return new EndQuorumEpochResponse { ErrorCode = (short)ErrorCode.InconsistentClusterId };
        }

        if (request.Topics is not [{ Partitions: [var partition] } topic]
            || !MetadataTopicPartition.Matches(topic.TopicName, partition.PartitionIndex))
        {
            return new EndQuorumEpochResponse { ErrorCode = (short)ErrorCode.InvalidRequest };
        }

        var error = ValidateVoterOnlyRequest(partition.LeaderId, partition.LeaderEpoch, intendedVoterId: -1);
        if (error == ErrorCode.None)
        {
            MaybeTransition(partition.LeaderId, partition.LeaderEpoch, now);
            if (_state is FollowerState follower && follower.LeaderId == partition.LeaderId)
            {
                // v1 names the successors as PreferredCandidates, v0 as PreferredSuccessors; only one of them was on the wire.
                IReadOnlyList<int> successors = partition.PreferredCandidates.Count > 0
                    ? partition.PreferredCandidates.ConvertAll(static c => c.CandidateId)
                    : partition.PreferredSuccessors;
                follower.HasFetchedFromLeader = false;
                follower.FetchDeadlineMs = now + EndQuorumEpochBackoffMs(successors);
            }
        }

        return BuildEndQuorumEpochResponse(error);
    }

    private EndQuorumEpochResponse BuildEndQuorumEpochResponse(ErrorCode partitionError) => new()
    {
        Topics =
        [
            new EndQuorumEpochResponse.TopicData
            {
                TopicName = MetadataTopicPartition.TopicName,
                Partitions =
                [
                    new EndQuorumEpochResponse.PartitionData
                    {
                        PartitionIndex = MetadataTopicPartition.PartitionIndex,
                        ErrorCode = (short)partitionError,
                        LeaderId = _state.LeaderId,
                        LeaderEpoch = _state.Epoch,
                    },
                ],
            },
        ],
        NodeEndpoints = LeaderNodeEndpoints(static (id, endpoint) =>
            new EndQuorumEpochResponse.NodeEndpoint { NodeId = id, Host = endpoint.Host, Port = (ushort)endpoint.Port }),
    };

    private bool HandleEndQuorumEpochResponse(int source, EndQuorumEpochResponse response, long now)
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

        if (_state is ResignedState resigned)
        {
            resigned.UnackedVoters.Remove(source);
        }

        return true;
    }

    /// <summary>This node's endpoint, in a request that names the leader (it is the leader); empty when endpoints are not configured.</summary>
    private List<T> LocalEndpoints<T>(Func<RaftEndpoint, T> create) =>
        _config.VoterEndpoints.TryGetValue(_config.NodeId, out var endpoint) ? [create(endpoint)] : [];

    /// <summary>The known leader's endpoint, for a response's NodeEndpoints; empty when unknown or not configured.</summary>
    private List<T> LeaderNodeEndpoints<T>(Func<int, RaftEndpoint, T> create) =>
        _state.HasLeader && _config.VoterEndpoints.TryGetValue(_state.LeaderId, out var endpoint) ? [create(_state.LeaderId, endpoint)] : [];
}
