using Rill.Protocol.Messages;

namespace Rill.Server.Handlers;

/// <summary>Coordinator error answers: the error per group or per partition where the response has them, else at the top.</summary>
public static partial class ErrorResponses
{
    private const int NoNode = -1;

    /// <summary>Kafka's OffsetFetchRequest first answers for several groups, each with its own code, at v8.</summary>
    private const short OffsetFetchBatchedVersion = 8;

    /// <summary>Kafka's FindCoordinatorRequest first looks up several keys, each with its own code, at v4.</summary>
    private const short FindCoordinatorBatchedVersion = 4;

    private static FindCoordinatorResponse FindCoordinator(FindCoordinatorRequest request, short version, ApiError error)
    {
        if (version < FindCoordinatorBatchedVersion)
        {
            return new FindCoordinatorResponse
            {
                ErrorCode = (short)error.Code,
                ErrorMessage = error.Description,
                NodeId = NoNode,
                Host = string.Empty,
                Port = NoNode,
            };
        }

        var response = new FindCoordinatorResponse();
        foreach (var key in request.CoordinatorKeys)
        {
            response.Coordinators.Add(new FindCoordinatorResponse.Coordinator
            {
                Key = key,
                ErrorCode = (short)error.Code,
                ErrorMessage = error.Description,
                NodeId = NoNode,
                Host = string.Empty,
                Port = NoNode,
            });
        }

        return response;
    }

    private static JoinGroupResponse JoinGroup(short version, ApiError error) => new()
    {
        ErrorCode = (short)error.Code,
        GenerationId = -1,

        // Nullable from v7, where Kafka sends null; an empty name before it.
        ProtocolName = version >= 7 ? null : string.Empty,
        Leader = string.Empty,
        MemberId = string.Empty,
    };

    private static SyncGroupResponse SyncGroup(ApiError error) => new() { ErrorCode = (short)error.Code };

    private static HeartbeatResponse Heartbeat(ApiError error) => new() { ErrorCode = (short)error.Code };

    private static LeaveGroupResponse LeaveGroup(ApiError error) => new() { ErrorCode = (short)error.Code };

    private static OffsetCommitResponse OffsetCommit(OffsetCommitRequest request, ApiError error)
    {
        var response = new OffsetCommitResponse();
        foreach (var topic in request.Topics)
        {
            var topicResponse = new OffsetCommitResponse.OffsetCommitResponseTopic { Name = topic.Name };
            foreach (var partition in topic.Partitions)
            {
                topicResponse.Partitions.Add(new OffsetCommitResponse.OffsetCommitResponsePartition
                {
                    PartitionIndex = partition.PartitionIndex,
                    ErrorCode = (short)error.Code,
                });
            }

            response.Topics.Add(topicResponse);
        }

        return response;
    }

    private static OffsetFetchResponse OffsetFetch(OffsetFetchRequest request, short version, ApiError error)
    {
        var response = new OffsetFetchResponse();
        if (version >= OffsetFetchBatchedVersion)
        {
            foreach (var group in request.Groups)
            {
                response.Groups.Add(new OffsetFetchResponse.OffsetFetchResponseGroup { GroupId = group.GroupId, ErrorCode = (short)error.Code });
            }

            return response;
        }

        // v2-v7 carry the top-level code alone; v0-v1 have none, so every partition asked for carries it.
        response.ErrorCode = (short)error.Code;
        if (version < 2)
        {
            foreach (var topic in request.Topics ?? [])
            {
                var topicResponse = new OffsetFetchResponse.OffsetFetchResponseTopic { Name = topic.Name };
                foreach (var partition in topic.PartitionIndexes)
                {
                    topicResponse.Partitions.Add(new OffsetFetchResponse.OffsetFetchResponsePartition
                    {
                        PartitionIndex = partition,
                        CommittedOffset = -1,
                        Metadata = string.Empty,
                        ErrorCode = (short)error.Code,
                    });
                }

                response.Topics.Add(topicResponse);
            }
        }

        return response;
    }

    private static ListGroupsResponse ListGroups(ApiError error) => new() { ErrorCode = (short)error.Code };

    private static DescribeGroupsResponse DescribeGroups(DescribeGroupsRequest request, ApiError error)
    {
        var response = new DescribeGroupsResponse();
        foreach (var group in request.Groups)
        {
            // State, protocol type and protocol stay empty and authorized operations omitted, as Kafka's groupError.
            response.Groups.Add(new DescribeGroupsResponse.DescribedGroup { GroupId = group, ErrorCode = (short)error.Code });
        }

        return response;
    }

    private static DeleteGroupsResponse DeleteGroups(DeleteGroupsRequest request, ApiError error)
    {
        var response = new DeleteGroupsResponse();
        foreach (var group in request.GroupsNames)
        {
            response.Results.Add(new DeleteGroupsResponse.DeletableGroupResult { GroupId = group, ErrorCode = (short)error.Code });
        }

        return response;
    }

    private static OffsetDeleteResponse OffsetDelete(ApiError error) => new() { ErrorCode = (short)error.Code };
}
