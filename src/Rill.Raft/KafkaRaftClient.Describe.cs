using Rill.Common;
using Rill.Protocol.Messages;

namespace Rill.Raft;

public sealed partial class KafkaRaftClient
{
    /// <summary>The quorum as this node sees it, for <c>rill cluster info</c>; thread-safe.</summary>
    public QuorumDescription DescribeQuorum()
    {
        lock (_pollLock)
        {
            ThrowIfDisposed();
            var wallNow = WallMs();
            if (_state is LeaderState leader)
            {
                leader.ExpireObservers(NowMs());
                return new QuorumDescription(_config.NodeId, _config.NodeId, leader.Epoch, leader.HighWatermark, IsFromLeader: true,
                    [.. _voters.Select(id => Describe(leader.Voters[id], wallNow))],
                    [.. leader.Observers.Values.OrderBy(static p => p.NodeId).Select(p => Describe(p, wallNow))]);
            }

            var voters = _voters.Select(id => id == _config.NodeId
                ? new ReplicaDescription(id, _initialized ? _log.EndOffset : -1, -1, -1)
                : new ReplicaDescription(id, -1, -1, -1));
            return new QuorumDescription(_config.NodeId, _initialized ? _state.LeaderId : -1, _initialized ? _state.Epoch : 0, _highWatermark,
                IsFromLeader: false, [.. voters], []);
        }
    }

    /// <summary>As Kafka reports replicas: the leader with its own log end and now as both timestamps.</summary>
    private ReplicaDescription Describe(ReplicaProgress progress, long wallNowMs) =>
        progress.NodeId == _config.NodeId
            ? new ReplicaDescription(progress.NodeId, progress.LogEndOffset, wallNowMs, wallNowMs)
            : new ReplicaDescription(progress.NodeId, progress.EndOffset, progress.LastFetchTimestamp, progress.LastCaughtUpTimestamp);

    /// <summary>DescribeQuorum for Kafka's <c>kafka-metadata-quorum.sh</c>: only the leader has the answer (kafka: <c>handleDescribeQuorumRequest</c>).</summary>
    private DescribeQuorumResponse HandleDescribeQuorumRequest(DescribeQuorumRequest request, long now)
    {
        if (request.Topics is not [{ Partitions: [var requested] } topic] || !MetadataTopicPartition.Matches(topic.TopicName, requested.PartitionIndex))
        {
            var topics = request.Topics.ConvertAll(t => new DescribeQuorumResponse.TopicData
            {
                TopicName = t.TopicName,
                Partitions = t.Partitions.ConvertAll(static p => new DescribeQuorumResponse.PartitionData
                {
                    PartitionIndex = p.PartitionIndex,
                    ErrorCode = (short)ErrorCode.UnknownTopicOrPartition,
                    ErrorMessage = "the Raft quorum replicates only __cluster_metadata-0",
                    LeaderId = -1,
                    LeaderEpoch = -1,
                    HighWatermark = -1,
                }),
            });
            return new DescribeQuorumResponse { Topics = topics };
        }

        if (_state is not LeaderState leader)
        {
            return new DescribeQuorumResponse
            {
                Topics =
                [
                    new DescribeQuorumResponse.TopicData
                    {
                        TopicName = MetadataTopicPartition.TopicName,
                        Partitions =
                        [
                            new DescribeQuorumResponse.PartitionData
                            {
                                PartitionIndex = MetadataTopicPartition.PartitionIndex,
                                ErrorCode = (short)ErrorCode.NotLeaderOrFollower,
                                ErrorMessage = $"node {_config.NodeId} is not the leader of the metadata quorum",
                                LeaderId = _state.LeaderId,
                                LeaderEpoch = _state.Epoch,
                                HighWatermark = -1,
                            },
                        ],
                    },
                ],
            };
        }

        var wallNow = WallMs();
        leader.ExpireObservers(now);
        var partition = new DescribeQuorumResponse.PartitionData
        {
            PartitionIndex = MetadataTopicPartition.PartitionIndex,
            LeaderId = _config.NodeId,
            LeaderEpoch = leader.Epoch,
            HighWatermark = leader.HighWatermark,
            CurrentVoters = [.. _voters.Select(id => ToReplicaState(Describe(leader.Voters[id], wallNow)))],
            Observers = [.. leader.Observers.Values.OrderBy(static p => p.NodeId).Select(p => ToReplicaState(Describe(p, wallNow)))],
        };
        var nodes = new List<DescribeQuorumResponse.Node>();
        foreach (var voter in _voters)
        {
            if (_config.VoterEndpoints.TryGetValue(voter, out var endpoint))
            {
                nodes.Add(new DescribeQuorumResponse.Node
                {
                    NodeId = voter,
                    Listeners = [new DescribeQuorumResponse.Listener { Name = endpoint.ListenerName, Host = endpoint.Host, Port = (ushort)endpoint.Port }],
                });
            }
        }

        return new DescribeQuorumResponse
        {
            Topics = [new DescribeQuorumResponse.TopicData { TopicName = MetadataTopicPartition.TopicName, Partitions = [partition] }],
            Nodes = nodes,
        };
    }

    private static DescribeQuorumResponse.ReplicaState ToReplicaState(ReplicaDescription replica) => new()
    {
        ReplicaId = replica.NodeId,
        ReplicaDirectoryId = Uuid.Zero,
        LogEndOffset = replica.LogEndOffset,
        LastFetchTimestamp = replica.LastFetchTimestamp,
        LastCaughtUpTimestamp = replica.LastCaughtUpTimestamp,
    };
}
