using Rill.Common;
using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Replication;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>
/// Offsets by time: the earliest (-2), the latest (-1, the high watermark), the record with the largest
/// timestamp (-3), the earliest local (-4, the same as earliest without tiered storage), or the first record
/// at or after a timestamp.
/// </summary>
public sealed class ListOffsetsHandler : ApiHandler<ListOffsetsRequest>
{
    private const short MinimumVersion = 1;
    private const long Latest = -1;
    private const long Earliest = -2;
    private const long MaxTimestamp = -3;
    private const long EarliestLocal = -4;
    private const long LatestTiered = -5;

    private readonly IMetadataView _controller;
    private readonly ReplicaManager _replicas;

    public ListOffsetsHandler(IMetadataView controller, ReplicaManager replicas)
    {
        _controller = controller;
        _replicas = replicas;
    }

    public override short MinVersion => MinimumVersion;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, ListOffsetsRequest request, CancellationToken cancellationToken)
    {
        var image = _controller.Image;
        var version = context.ApiVersion;
        var response = new ListOffsetsResponse();
        foreach (var topic in request.Topics)
        {
            var topicResponse = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = topic.Name };
            response.Topics.Add(topicResponse);
            foreach (var requested in topic.Partitions)
            {
                var result = new ListOffsetsResponse.ListOffsetsPartitionResponse { PartitionIndex = requested.PartitionIndex };
                result.ErrorCode = (short)Lookup(image, version, topic.Name, requested, result);
                topicResponse.Partitions.Add(result);
            }
        }

        return ValueTask.FromResult(ApiResponse.Of(response));
    }

    private ErrorCode Lookup(
        MetadataImage image,
        short version,
        string topic,
        ListOffsetsRequest.ListOffsetsPartition requested,
        ListOffsetsResponse.ListOffsetsPartitionResponse result)
    {
        var lookup = _replicas.GetLeaderPartition(image, new TopicPartition(topic, requested.PartitionIndex), out var partition);
        if (lookup != ErrorCode.None)
        {
            return lookup;
        }

        if (version >= 4 && requested.CurrentLeaderEpoch != -1 && requested.CurrentLeaderEpoch != partition!.LeaderEpoch)
        {
            return requested.CurrentLeaderEpoch < partition.LeaderEpoch ? ErrorCode.FencedLeaderEpoch : ErrorCode.UnknownLeaderEpoch;
        }

        var log = partition!.Log;
        result.LeaderEpoch = partition.LeaderEpoch;
        switch (requested.Timestamp)
        {
            case Latest:
                result.Offset = partition.HighWatermark;
                return ErrorCode.None;
            case Earliest:
            case EarliestLocal when version >= 8:
                result.Offset = log.LogStartOffset;
                return ErrorCode.None;
            case LatestTiered when version >= 9:
                // Nothing is tiered, so there is no such offset.
                result.Offset = -1;
                return ErrorCode.None;
            case MaxTimestamp when version >= 7:
                if (log.FindMaxTimestamp() is { } max && max.Offset < partition.HighWatermark)
                {
                    result.Offset = max.Offset;
                    result.Timestamp = max.Timestamp;
                }

                return ErrorCode.None;
            case < 0:
                return ErrorCode.InvalidRequest;
            default:
                if (log.FindOffsetByTimestamp(requested.Timestamp) is { } found && found.Offset < partition.HighWatermark)
                {
                    result.Offset = found.Offset;
                    result.Timestamp = found.Timestamp;
                }

                return ErrorCode.None;
        }
    }
}
