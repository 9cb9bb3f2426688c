using Rill.Common;
using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Replication;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>
/// OffsetForLeaderEpoch (KIP-101, KIP-320): for each partition this broker leads, the largest leader epoch at or
/// below the one asked for and the offset where it ends (the start of the next epoch, or the log end for the latest),
/// so that a follower or a consumer after a leader change knows where its log or position diverged. From v2 the
/// request's current leader epoch is checked first: FENCED_LEADER_EPOCH when older than ours, UNKNOWN_LEADER_EPOCH when
/// newer. A partition held here as follower answers NOT_LEADER_OR_FOLLOWER, one that does not exist
/// UNKNOWN_TOPIC_OR_PARTITION, an epoch this log never had (-1, -1). The replica id (v3+: a broker, -1 a consumer,
/// -2 the default of older versions) changes nothing, as in Kafka.
/// </summary>
public sealed class OffsetForLeaderEpochHandler : ApiHandler<OffsetForLeaderEpochRequest>
{
    private const short FirstCurrentLeaderEpochVersion = 2;

    private readonly IMetadataView _metadata;
    private readonly ReplicaManager _replicas;

    public OffsetForLeaderEpochHandler(IMetadataView metadata, ReplicaManager replicas)
    {
        _metadata = metadata;
        _replicas = replicas;
    }

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, OffsetForLeaderEpochRequest request, CancellationToken cancellationToken)
    {
        var image = _metadata.Image;
        var version = context.ApiVersion;
        var response = new OffsetForLeaderEpochResponse();
        foreach (var topic in request.Topics)
        {
            var topicResult = new OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult { Topic = topic.Topic };
            response.Topics.Add(topicResult);
            foreach (var requested in topic.Partitions)
            {
                var currentLeaderEpoch = version >= FirstCurrentLeaderEpochVersion ? requested.CurrentLeaderEpoch : -1;
                var found = _replicas.LastOffsetForLeaderEpoch(image, new TopicPartition(topic.Topic, requested.Partition), currentLeaderEpoch, requested.LeaderEpoch);
                topicResult.Partitions.Add(new OffsetForLeaderEpochResponse.EpochEndOffset
                {
                    ErrorCode = (short)found.ErrorCode,
                    Partition = requested.Partition,
                    LeaderEpoch = found.LeaderEpoch,
                    EndOffset = found.EndOffset,
                });
            }
        }

        return ValueTask.FromResult(ApiResponse.Of(response));
    }
}
