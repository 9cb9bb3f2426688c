using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Server.Handlers;

/// <summary>
/// What each request is answered with when its handling failed: the request's own response shape with the error
/// where that shape carries one (per partition, per topic, per group, per resource, or the top-level code), as
/// Kafka's <c>AbstractRequest.getErrorResponse</c> builds it for each request type. Kept here, one builder per
/// API in the feature partials, so that the handlers hold only their API's logic.
/// </summary>
public static partial class ErrorResponses
{
    /// <summary>
    /// The error answer to <paramref name="request"/> at <paramref name="version"/>; null when the request gets no
    /// answer (a Produce with acks=0) or its API has no error shape here, and the connection must close instead.
    /// </summary>
    public static IKafkaMessage? For(IKafkaMessage request, short version, ApiError error) => request switch
    {
        ProduceRequest produce => Produce(produce, error),
        FetchRequest fetch => Fetch(fetch, version, error),
        ListOffsetsRequest listOffsets => ListOffsets(listOffsets, version, error),
        DeleteRecordsRequest deleteRecords => DeleteRecords(deleteRecords, error),
        OffsetForLeaderEpochRequest offsetForLeaderEpoch => OffsetForLeaderEpoch(offsetForLeaderEpoch, error),
        MetadataRequest metadata => Metadata(metadata, error),
        ApiVersionsRequest => ApiVersions(error),
        CreateTopicsRequest createTopics => CreateTopics(createTopics, error),
        DeleteTopicsRequest deleteTopics => DeleteTopics(deleteTopics, version, error),
        CreatePartitionsRequest createPartitions => CreatePartitions(createPartitions, error),
        DescribeConfigsRequest describeConfigs => DescribeConfigs(describeConfigs, error),
        AlterConfigsRequest alterConfigs => AlterConfigs(alterConfigs, error),
        IncrementalAlterConfigsRequest incrementalAlterConfigs => IncrementalAlterConfigs(incrementalAlterConfigs, error),
        DescribeClusterRequest => DescribeCluster(error),
        DescribeLogDirsRequest => DescribeLogDirs(error),
        FindCoordinatorRequest findCoordinator => FindCoordinator(findCoordinator, version, error),
        JoinGroupRequest => JoinGroup(version, error),
        SyncGroupRequest => SyncGroup(error),
        HeartbeatRequest => Heartbeat(error),
        LeaveGroupRequest => LeaveGroup(error),
        OffsetCommitRequest offsetCommit => OffsetCommit(offsetCommit, error),
        OffsetFetchRequest offsetFetch => OffsetFetch(offsetFetch, version, error),
        ListGroupsRequest => ListGroups(error),
        DescribeGroupsRequest describeGroups => DescribeGroups(describeGroups, error),
        DeleteGroupsRequest deleteGroups => DeleteGroups(deleteGroups, error),
        OffsetDeleteRequest => OffsetDelete(error),
        BrokerRegistrationRequest => new BrokerRegistrationResponse { ErrorCode = (short)error.Code },
        BrokerHeartbeatRequest => new BrokerHeartbeatResponse { ErrorCode = (short)error.Code },
        AlterPartitionRequest => new AlterPartitionResponse { ErrorCode = (short)error.Code },
        DescribeQuorumRequest => new DescribeQuorumResponse { ErrorCode = (short)error.Code, ErrorMessage = error.Message },
        ElectLeadersRequest electLeaders => ElectLeaders(electLeaders, error),
        AlterPartitionReassignmentsRequest alterReassignments => AlterPartitionReassignments(alterReassignments, error),
        ListPartitionReassignmentsRequest => new ListPartitionReassignmentsResponse { ErrorCode = (short)error.Code, ErrorMessage = error.Message },
        _ => null,
    };
}
