using Rill.Common;
using Rill.Protocol.Messages;
using Rill.Replication;
using Rill.Metadata;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>Moves partitions' log start offsets forward (-1 = up to the high watermark); records below are gone for every reader.</summary>
public sealed class DeleteRecordsHandler : ApiHandler<DeleteRecordsRequest>
{
    private const long HighWatermark = -1;

    private readonly IMetadataView _controller;
    private readonly ReplicaManager _replicas;

    public DeleteRecordsHandler(IMetadataView controller, ReplicaManager replicas)
    {
        _controller = controller;
        _replicas = replicas;
    }

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, DeleteRecordsRequest request, CancellationToken cancellationToken)
    {
        var image = _controller.Image;
        var response = new DeleteRecordsResponse();
        foreach (var topic in request.Topics)
        {
            var topicResult = new DeleteRecordsResponse.DeleteRecordsTopicResult { Name = topic.Name };
            response.Topics.Add(topicResult);
            foreach (var requested in topic.Partitions)
            {
                var result = new DeleteRecordsResponse.DeleteRecordsPartitionResult { PartitionIndex = requested.PartitionIndex, LowWatermark = -1 };
                topicResult.Partitions.Add(result);
                var error = _replicas.GetLeaderPartition(image, new TopicPartition(topic.Name, requested.PartitionIndex), out var partition);
                if (error != ErrorCode.None)
                {
                    result.ErrorCode = (short)error;
                    continue;
                }

                var offset = requested.Offset == HighWatermark ? partition!.HighWatermark : requested.Offset;
                var deleted = partition!.Log.DeleteRecordsBefore(offset);
                result.ErrorCode = (short)deleted.ErrorCode;
                result.LowWatermark = deleted.LowWatermark;
            }
        }

        return ValueTask.FromResult(ApiResponse.Of(response));
    }
}
