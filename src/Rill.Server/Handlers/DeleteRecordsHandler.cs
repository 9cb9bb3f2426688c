using Rill.Common;
using Rill.Protocol.Messages;
using Rill.Replication;
using Rill.Metadata;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>Moves partitions' log start offsets forward (-1 = up to the high watermark); records below are gone for every reader.</summary>
public sealed class DeleteRecordsHandler : ApiHandler<DeleteRecordsRequest>
{
    private readonly IMetadataView _metadata;
    private readonly ReplicaManager _replicas;

    public DeleteRecordsHandler(IMetadataView metadata, ReplicaManager replicas)
    {
        _metadata = metadata;
        _replicas = replicas;
    }

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, DeleteRecordsRequest request, CancellationToken cancellationToken)
    {
        var image = _metadata.Image;
        var response = new DeleteRecordsResponse();
        foreach (var topic in request.Topics)
        {
            var topicResult = new DeleteRecordsResponse.DeleteRecordsTopicResult { Name = topic.Name };
            response.Topics.Add(topicResult);
            foreach (var requested in topic.Partitions)
            {
                var result = new DeleteRecordsResponse.DeleteRecordsPartitionResult { PartitionIndex = requested.PartitionIndex, LowWatermark = -1 };
                topicResult.Partitions.Add(result);
                var deleted = _replicas.DeleteRecords(image, new TopicPartition(topic.Name, requested.PartitionIndex), requested.Offset);
                result.ErrorCode = (short)deleted.ErrorCode;
                result.LowWatermark = deleted.LowWatermark;
            }
        }

        return ValueTask.FromResult(ApiResponse.Of(response));
    }
}
