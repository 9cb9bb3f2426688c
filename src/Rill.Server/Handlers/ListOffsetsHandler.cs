using Rill.Common;
using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Replication;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>
/// Offsets by time: the earliest (-2), the latest (-1, the high watermark; the log end offset for a follower, whose
/// replica id is its broker id), the record with the largest timestamp (-3), the earliest local (-4, the same as
/// earliest without tiered storage), or the first record at or after a timestamp.
/// </summary>
public sealed class ListOffsetsHandler : ApiHandler<ListOffsetsRequest>
{
    private const short MinimumVersion = 1;
    private const long MaxTimestamp = -3;
    private const long EarliestLocal = -4;
    private const long LatestTiered = -5;

    /// <summary>A negative timestamp with no meaning, which the replica manager answers with INVALID_REQUEST.</summary>
    private const long InvalidTimestamp = -100;

    private readonly IMetadataView _metadata;
    private readonly ReplicaManager _replicas;

    public ListOffsetsHandler(IMetadataView metadata, ReplicaManager replicas)
    {
        _metadata = metadata;
        _replicas = replicas;
    }

    public override short MinVersion => MinimumVersion;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, ListOffsetsRequest request, CancellationToken cancellationToken)
    {
        var image = _metadata.Image;
        var version = context.ApiVersion;
        var response = new ListOffsetsResponse();
        foreach (var topic in request.Topics)
        {
            var topicResponse = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = topic.Name };
            response.Topics.Add(topicResponse);
            foreach (var requested in topic.Partitions)
            {
                var result = new ListOffsetsResponse.ListOffsetsPartitionResponse { PartitionIndex = requested.PartitionIndex };
                result.ErrorCode = (short)Lookup(image, version, request.ReplicaId, topic.Name, requested, result);
                topicResponse.Partitions.Add(result);
            }
        }

        return ValueTask.FromResult(ApiResponse.Of(response));
    }

    private ErrorCode Lookup(
        MetadataImage image,
        short version,
        int replicaId,
        string topic,
        ListOffsetsRequest.ListOffsetsPartition requested,
        ListOffsetsResponse.ListOffsetsPartitionResponse result)
    {
        // Special timestamps newer than the request's version are not special to it: negative, so invalid.
        var timestamp = requested.Timestamp switch
        {
            MaxTimestamp when version < 7 => InvalidTimestamp,
            EarliestLocal when version < 8 => InvalidTimestamp,
            LatestTiered when version < 9 => InvalidTimestamp,
            _ => requested.Timestamp,
        };
        var epoch = version >= 4 ? requested.CurrentLeaderEpoch : -1;
        var found = _replicas.FetchOffsetForTimestamp(image, new TopicPartition(topic, requested.PartitionIndex), replicaId, epoch, timestamp);
        if (found.LeaderEpoch >= 0)
        {
            result.LeaderEpoch = found.LeaderEpoch;
        }

        if (found.ErrorCode == ErrorCode.None)
        {
            result.Offset = found.Offset;
            result.Timestamp = found.Timestamp;
        }

        return found.ErrorCode;
    }
}
