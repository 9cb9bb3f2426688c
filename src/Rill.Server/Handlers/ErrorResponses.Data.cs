using Rill.Protocol.Messages;

namespace Rill.Server.Handlers;

/// <summary>The data path's error answers: the error on every partition the request named.</summary>
public static partial class ErrorResponses
{
    /// <summary>Kafka's INVALID_OFFSET, NO_TIMESTAMP, INVALID_HIGH_WATERMARK and INVALID_LOW_WATERMARK.</summary>
    private const long Unknown = -1;

    private static ProduceResponse? Produce(ProduceRequest request, ApiError error)
    {
        // acks=0: the producer reads no answer; Kafka closes the connection so that it refreshes its metadata.
        if (request.Acks == 0)
        {
            return null;
        }

        var response = new ProduceResponse();
        foreach (var topic in request.TopicData)
        {
            var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topic.Name };
            foreach (var partition in topic.PartitionData)
            {
                topicResponse.PartitionResponses.Add(new ProduceResponse.PartitionProduceResponse
                {
                    Index = partition.Index,
                    ErrorCode = (short)error.Code,
                    ErrorMessage = error.Message,
                    BaseOffset = Unknown,
                    LogAppendTimeMs = Unknown,
                    LogStartOffset = Unknown,
                });
            }

            response.Responses.Add(topicResponse);
        }

        return response;
    }

    private static FetchResponse Fetch(FetchRequest request, short version, ApiError error)
    {
        var response = new FetchResponse { ErrorCode = (short)error.Code, SessionId = request.SessionId };

        // From v13 clients read the top-level code alone; before it (and before v7, which has no top-level code)
        // every partition carries the error too.
        if (version < 13)
        {
            foreach (var topic in request.Topics)
            {
                var topicResponse = new FetchResponse.FetchableTopicResponse { Topic = topic.Topic, TopicId = topic.TopicId };
                foreach (var partition in topic.Partitions)
                {
                    topicResponse.Partitions.Add(new FetchResponse.PartitionData
                    {
                        PartitionIndex = partition.Partition,
                        ErrorCode = (short)error.Code,
                        HighWatermark = Unknown,
                    });
                }

                response.Responses.Add(topicResponse);
            }
        }

        return response;
    }

    private static ListOffsetsResponse ListOffsets(ListOffsetsRequest request, short version, ApiError error)
    {
        var response = new ListOffsetsResponse();
        foreach (var topic in request.Topics)
        {
            var topicResponse = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = topic.Name };
            foreach (var partition in topic.Partitions)
            {
                var partitionResponse = new ListOffsetsResponse.ListOffsetsPartitionResponse
                {
                    PartitionIndex = partition.PartitionIndex,
                    ErrorCode = (short)error.Code,
                };
                if (version > 0)
                {
                    partitionResponse.Offset = Unknown;
                    partitionResponse.Timestamp = Unknown;
                }

                topicResponse.Partitions.Add(partitionResponse);
            }

            response.Topics.Add(topicResponse);
        }

        return response;
    }

    private static DeleteRecordsResponse DeleteRecords(DeleteRecordsRequest request, ApiError error)
    {
        var response = new DeleteRecordsResponse();
        foreach (var topic in request.Topics)
        {
            var topicResult = new DeleteRecordsResponse.DeleteRecordsTopicResult { Name = topic.Name };
            foreach (var partition in topic.Partitions)
            {
                topicResult.Partitions.Add(new DeleteRecordsResponse.DeleteRecordsPartitionResult
                {
                    PartitionIndex = partition.PartitionIndex,
                    ErrorCode = (short)error.Code,
                    LowWatermark = Unknown,
                });
            }

            response.Topics.Add(topicResult);
        }

        return response;
    }

    private static OffsetForLeaderEpochResponse OffsetForLeaderEpoch(OffsetForLeaderEpochRequest request, ApiError error)
    {
        var response = new OffsetForLeaderEpochResponse();
        foreach (var topic in request.Topics)
        {
            var topicResult = new OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult { Topic = topic.Topic };
            foreach (var partition in topic.Partitions)
            {
                topicResult.Partitions.Add(new OffsetForLeaderEpochResponse.EpochEndOffset
                {
                    ErrorCode = (short)error.Code,
                    Partition = partition.Partition,
                    LeaderEpoch = -1,
                    EndOffset = Unknown,
                });
            }

            response.Topics.Add(topicResult);
        }

        return response;
    }
}
