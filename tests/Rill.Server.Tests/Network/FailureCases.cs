using Rill.Common;
using Rill.Protocol.Messages;

namespace Rill.Server.Tests.Network;

/// <summary>
/// Every API the node serves, at the versions it advertises, each with a request naming a topic, partition, group or
/// resource, and the places its error answer must carry the code (Kafka's getErrorResponse for that request type).
/// </summary>
public static class FailureCases
{
    public const string Topic = "orders";
    public const int Partition = 3;
    public const string Group = "billing";
    public const string Member = "member-1";

    /// <summary>DescribeConfigs and friends: resource type 2 is a topic.</summary>
    private const sbyte TopicResource = 2;

    private static readonly Uuid TopicId = Uuid.Parse("b1Zy6dUTQ3m0GxCwBmN3yA");

    public static readonly IReadOnlyList<FailureCase> All =
    [
        new FailureCase<ProduceRequest, ProduceResponse>(
            0,
            11,
            _ => new ProduceRequest
            {
                Acks = -1,
                TimeoutMs = 1000,
                TopicData = [new ProduceRequest.TopicProduceData { Name = Topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = Partition, Records = Array.Empty<byte>() }] }],
            },
            (response, _, code) =>
            {
                var topic = Assert.Single(response.Responses);
                Assert.Equal(Topic, topic.Name);
                var partition = Assert.Single(topic.PartitionResponses);
                Assert.Equal(Partition, partition.Index);
                Assert.Equal(code, partition.ErrorCode);
                Assert.Equal(-1, partition.BaseOffset);
            }),
        new FailureCase<FetchRequest, FetchResponse>(
            4,
            17,
            _ => new FetchRequest
            {
                MaxWaitMs = 500,
                MinBytes = 1,
                MaxBytes = 1 << 20,
                Topics =
                [
                    new FetchRequest.FetchTopic
                    {
                        Topic = Topic,
                        TopicId = TopicId,
                        Partitions = [new FetchRequest.FetchPartition { Partition = Partition, FetchOffset = 0, PartitionMaxBytes = 1 << 16 }],
                    },
                ],
            },
            (response, version, code) =>
            {
                Assert.Equal(version >= 7 ? code : (short)0, response.ErrorCode);
                if (version >= 13)
                {
                    // From v13 the top-level code alone says it, as in Kafka.
                    Assert.Empty(response.Responses);
                    return;
                }

                var topic = Assert.Single(response.Responses);
                Assert.Equal(Topic, topic.Topic);
                var partition = Assert.Single(topic.Partitions);
                Assert.Equal(Partition, partition.PartitionIndex);
                Assert.Equal(code, partition.ErrorCode);
                Assert.Equal(-1, partition.HighWatermark);
                Assert.Equal(0, partition.Records?.Length ?? 0);
            }),
        new FailureCase<ListOffsetsRequest, ListOffsetsResponse>(
            1,
            10,
            _ => new ListOffsetsRequest
            {
                ReplicaId = -1,
                Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = Topic, Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = Partition, Timestamp = -1 }] }],
            },
            (response, _, code) =>
            {
                var topic = Assert.Single(response.Topics);
                Assert.Equal(Topic, topic.Name);
                var partition = Assert.Single(topic.Partitions);
                Assert.Equal(Partition, partition.PartitionIndex);
                Assert.Equal(code, partition.ErrorCode);
                Assert.Equal(-1, partition.Offset);
                Assert.Equal(-1, partition.Timestamp);
            }),
        new FailureCase<MetadataRequest, MetadataResponse>(
            0,
            12,
            _ => new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = Topic }] },
            (response, _, code) =>
            {
                var topic = Assert.Single(response.Topics);
                Assert.Equal(Topic, topic.Name);
                Assert.Equal(code, topic.ErrorCode);
                Assert.Empty(topic.Partitions);
            }),
        new FailureCase<OffsetCommitRequest, OffsetCommitResponse>(
            2,
            9,
            _ => new OffsetCommitRequest
            {
                GroupId = Group,
                GenerationIdOrMemberEpoch = 1,
                MemberId = Member,
                Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic { Name = Topic, Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = Partition, CommittedOffset = 5 }] }],
            },
            (response, _, code) =>
            {
                var topic = Assert.Single(response.Topics);
                Assert.Equal(Topic, topic.Name);
                var partition = Assert.Single(topic.Partitions);
                Assert.Equal(Partition, partition.PartitionIndex);
                Assert.Equal(code, partition.ErrorCode);
            }),
        new FailureCase<OffsetFetchRequest, OffsetFetchResponse>(
            1,
            9,
            version => version >= 8
                ? new OffsetFetchRequest
                {
                    Groups = [new OffsetFetchRequest.OffsetFetchRequestGroup { GroupId = Group, Topics = [new OffsetFetchRequest.OffsetFetchRequestTopics { Name = Topic, PartitionIndexes = [Partition] }] }],
                }
                : new OffsetFetchRequest { GroupId = Group, Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = Topic, PartitionIndexes = [Partition] }] },
            (response, version, code) =>
            {
                if (version >= 8)
                {
                    var group = Assert.Single(response.Groups);
                    Assert.Equal(Group, group.GroupId);
                    Assert.Equal(code, group.ErrorCode);
                    return;
                }

                if (version >= 2)
                {
                    Assert.Equal(code, response.ErrorCode);
                    Assert.Empty(response.Topics);
                    return;
                }

                // v0-v1 have no top-level code: each partition asked for carries it.
                var topic = Assert.Single(response.Topics);
                Assert.Equal(Topic, topic.Name);
                var partition = Assert.Single(topic.Partitions);
                Assert.Equal(Partition, partition.PartitionIndex);
                Assert.Equal(code, partition.ErrorCode);
                Assert.Equal(-1, partition.CommittedOffset);
            }),
        new FailureCase<FindCoordinatorRequest, FindCoordinatorResponse>(
            0,
            6,
            version => version >= 4 ? new FindCoordinatorRequest { CoordinatorKeys = [Group] } : new FindCoordinatorRequest { Key = Group },
            (response, version, code) =>
            {
                if (version >= 4)
                {
                    var coordinator = Assert.Single(response.Coordinators);
                    Assert.Equal(Group, coordinator.Key);
                    Assert.Equal(code, coordinator.ErrorCode);
                    Assert.Equal(-1, coordinator.NodeId);
                    return;
                }

                Assert.Equal(code, response.ErrorCode);
                Assert.Equal(-1, response.NodeId);
            }),
        new FailureCase<JoinGroupRequest, JoinGroupResponse>(
            0,
            9,
            _ => new JoinGroupRequest
            {
                GroupId = Group,
                SessionTimeoutMs = 10_000,
                RebalanceTimeoutMs = 10_000,
                MemberId = string.Empty,
                ProtocolType = "consumer",
                Protocols = [new JoinGroupRequest.JoinGroupRequestProtocol { Name = "range", Metadata = [0, 1] }],
            },
            (response, _, code) =>
            {
                Assert.Equal(code, response.ErrorCode);
                Assert.Equal(-1, response.GenerationId);
                Assert.Empty(response.Members);
            }),
        new FailureCase<HeartbeatRequest, HeartbeatResponse>(
            0,
            4,
            _ => new HeartbeatRequest { GroupId = Group, GenerationId = 1, MemberId = Member },
            (response, _, code) => Assert.Equal(code, response.ErrorCode)),
        new FailureCase<LeaveGroupRequest, LeaveGroupResponse>(
            0,
            5,
            version => version >= 3
                ? new LeaveGroupRequest { GroupId = Group, Members = [new LeaveGroupRequest.MemberIdentity { MemberId = Member }] }
                : new LeaveGroupRequest { GroupId = Group, MemberId = Member },
            (response, _, code) =>
            {
                Assert.Equal(code, response.ErrorCode);
                Assert.Empty(response.Members);
            }),
        new FailureCase<SyncGroupRequest, SyncGroupResponse>(
            0,
            5,
            _ => new SyncGroupRequest { GroupId = Group, GenerationId = 1, MemberId = Member, ProtocolType = "consumer", ProtocolName = "range" },
            (response, _, code) => Assert.Equal(code, response.ErrorCode)),
        new FailureCase<DescribeGroupsRequest, DescribeGroupsResponse>(
            0,
            5,
            _ => new DescribeGroupsRequest { Groups = [Group] },
            (response, _, code) =>
            {
                var group = Assert.Single(response.Groups);
                Assert.Equal(Group, group.GroupId);
                Assert.Equal(code, group.ErrorCode);
                Assert.Empty(group.Members);
            }),
        new FailureCase<ListGroupsRequest, ListGroupsResponse>(
            0,
            5,
            _ => new ListGroupsRequest(),
            (response, _, code) =>
            {
                Assert.Equal(code, response.ErrorCode);
                Assert.Empty(response.Groups);
            }),
        new FailureCase<ApiVersionsRequest, ApiVersionsResponse>(
            0,
            4,
            _ => new ApiVersionsRequest { ClientSoftwareName = "rill-tests", ClientSoftwareVersion = "1.0" },
            (response, _, code) =>
            {
                Assert.Equal(code, response.ErrorCode);
                Assert.Empty(response.ApiKeys);
            }),
        new FailureCase<CreateTopicsRequest, CreateTopicsResponse>(
            2,
            7,
            _ => new CreateTopicsRequest { TimeoutMs = 1000, Topics = [new CreateTopicsRequest.CreatableTopic { Name = Topic, NumPartitions = 4, ReplicationFactor = 1 }] },
            (response, _, code) =>
            {
                var topic = Assert.Single(response.Topics);
                Assert.Equal(Topic, topic.Name);
                Assert.Equal(code, topic.ErrorCode);
            }),
        new FailureCase<DeleteTopicsRequest, DeleteTopicsResponse>(
            1,
            6,
            version => version >= 6
                ? new DeleteTopicsRequest { TimeoutMs = 1000, Topics = [new DeleteTopicsRequest.DeleteTopicState { Name = Topic }] }
                : new DeleteTopicsRequest { TimeoutMs = 1000, TopicNames = [Topic] },
            (response, _, code) =>
            {
                var topic = Assert.Single(response.Responses);
                Assert.Equal(Topic, topic.Name);
                Assert.Equal(code, topic.ErrorCode);
            }),
        new FailureCase<DeleteRecordsRequest, DeleteRecordsResponse>(
            0,
            2,
            _ => new DeleteRecordsRequest
            {
                TimeoutMs = 1000,
                Topics = [new DeleteRecordsRequest.DeleteRecordsTopic { Name = Topic, Partitions = [new DeleteRecordsRequest.DeleteRecordsPartition { PartitionIndex = Partition, Offset = 5 }] }],
            },
            (response, _, code) =>
            {
                var topic = Assert.Single(response.Topics);
                Assert.Equal(Topic, topic.Name);
                var partition = Assert.Single(topic.Partitions);
                Assert.Equal(Partition, partition.PartitionIndex);
                Assert.Equal(code, partition.ErrorCode);
                Assert.Equal(-1, partition.LowWatermark);
            }),
        new FailureCase<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>(
            0,
            4,
            _ => new OffsetForLeaderEpochRequest
            {
                ReplicaId = -1,
                Topics =
                [
                    new OffsetForLeaderEpochRequest.OffsetForLeaderTopic
                    {
                        Topic = Topic,
                        Partitions = [new OffsetForLeaderEpochRequest.OffsetForLeaderPartition { Partition = Partition, CurrentLeaderEpoch = -1, LeaderEpoch = 0 }],
                    },
                ],
            },
            (response, _, code) =>
            {
                var topic = Assert.Single(response.Topics);
                Assert.Equal(Topic, topic.Topic);
                var partition = Assert.Single(topic.Partitions);
                Assert.Equal(Partition, partition.Partition);
                Assert.Equal(code, partition.ErrorCode);
                Assert.Equal(-1, partition.EndOffset);
            }),
        new FailureCase<DescribeConfigsRequest, DescribeConfigsResponse>(
            1,
            4,
            _ => new DescribeConfigsRequest { Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = TopicResource, ResourceName = Topic }] },
            (response, _, code) =>
            {
                var result = Assert.Single(response.Results);
                Assert.Equal(TopicResource, result.ResourceType);
                Assert.Equal(Topic, result.ResourceName);
                Assert.Equal(code, result.ErrorCode);
                Assert.Empty(result.Configs);
            }),
        new FailureCase<AlterConfigsRequest, AlterConfigsResponse>(
            0,
            2,
            _ => new AlterConfigsRequest
            {
                Resources =
                [
                    new AlterConfigsRequest.AlterConfigsResource
                    {
                        ResourceType = TopicResource,
                        ResourceName = Topic,
                        Configs = [new AlterConfigsRequest.AlterableConfig { Name = "retention.ms", Value = "1000" }],
                    },
                ],
            },
            (response, _, code) =>
            {
                var result = Assert.Single(response.Responses);
                Assert.Equal(TopicResource, result.ResourceType);
                Assert.Equal(Topic, result.ResourceName);
                Assert.Equal(code, result.ErrorCode);
            }),
        new FailureCase<DescribeLogDirsRequest, DescribeLogDirsResponse>(
            1,
            4,
            _ => new DescribeLogDirsRequest { Topics = [new DescribeLogDirsRequest.DescribableLogDirTopic { Topic = Topic, Partitions = [Partition] }] },
            (response, version, code) =>
            {
                // v1-v2 have no top-level code; as in Kafka the answer then just lists no log dirs.
                Assert.Equal(version >= 3 ? code : (short)0, response.ErrorCode);
                Assert.Empty(response.Results);
            }),
        new FailureCase<CreatePartitionsRequest, CreatePartitionsResponse>(
            0,
            3,
            _ => new CreatePartitionsRequest { TimeoutMs = 1000, Topics = [new CreatePartitionsRequest.CreatePartitionsTopic { Name = Topic, Count = 8 }] },
            (response, _, code) =>
            {
                var result = Assert.Single(response.Results);
                Assert.Equal(Topic, result.Name);
                Assert.Equal(code, result.ErrorCode);
            }),
        new FailureCase<DeleteGroupsRequest, DeleteGroupsResponse>(
            0,
            2,
            _ => new DeleteGroupsRequest { GroupsNames = [Group] },
            (response, _, code) =>
            {
                var result = Assert.Single(response.Results);
                Assert.Equal(Group, result.GroupId);
                Assert.Equal(code, result.ErrorCode);
            }),
        new FailureCase<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>(
            0,
            1,
            _ => new IncrementalAlterConfigsRequest
            {
                Resources =
                [
                    new IncrementalAlterConfigsRequest.AlterConfigsResource
                    {
                        ResourceType = TopicResource,
                        ResourceName = Topic,
                        Configs = [new IncrementalAlterConfigsRequest.AlterableConfig { Name = "retention.ms", ConfigOperation = 0, Value = "1000" }],
                    },
                ],
            },
            (response, _, code) =>
            {
                var result = Assert.Single(response.Responses);
                Assert.Equal(TopicResource, result.ResourceType);
                Assert.Equal(Topic, result.ResourceName);
                Assert.Equal(code, result.ErrorCode);
            }),
        new FailureCase<OffsetDeleteRequest, OffsetDeleteResponse>(
            0,
            0,
            _ => new OffsetDeleteRequest
            {
                GroupId = Group,
                Topics = [new OffsetDeleteRequest.OffsetDeleteRequestTopic { Name = Topic, Partitions = [new OffsetDeleteRequest.OffsetDeleteRequestPartition { PartitionIndex = Partition }] }],
            },
            (response, _, code) =>
            {
                Assert.Equal(code, response.ErrorCode);
                Assert.Empty(response.Topics);
            }),
        new FailureCase<DescribeClusterRequest, DescribeClusterResponse>(
            0,
            1,
            _ => new DescribeClusterRequest(),
            (response, _, code) => Assert.Equal(code, response.ErrorCode)),
        new FailureCase<DescribeQuorumRequest, DescribeQuorumResponse>(
            0,
            2,
            _ => new DescribeQuorumRequest
            {
                Topics = [new DescribeQuorumRequest.TopicData { TopicName = "__cluster_metadata", Partitions = [new DescribeQuorumRequest.PartitionData { PartitionIndex = 0 }] }],
            },
            (response, _, code) =>
            {
                // Kafka answers a failed DescribeQuorum with its top-level code only.
                Assert.Equal(code, response.ErrorCode);
                Assert.Empty(response.Topics);
            }),
        new FailureCase<ElectLeadersRequest, ElectLeadersResponse>(
            0,
            2,
            _ => new ElectLeadersRequest { TopicPartitions = [new ElectLeadersRequest.TopicPartitionsData { Topic = Topic, Partitions = [Partition] }] },
            (response, version, code) =>
            {
                // v0 has no top-level code.
                Assert.Equal(version >= 1 ? code : (short)0, response.ErrorCode);
                var topic = Assert.Single(response.ReplicaElectionResults);
                Assert.Equal(Topic, topic.Topic);
                var partition = Assert.Single(topic.PartitionResult);
                Assert.Equal((Partition, code), (partition.PartitionId, partition.ErrorCode));
            }),
        new FailureCase<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse>(
            0,
            0,
            _ => new AlterPartitionReassignmentsRequest
            {
                Topics =
                [
                    new AlterPartitionReassignmentsRequest.ReassignableTopic
                    {
                        Name = Topic,
                        Partitions = [new AlterPartitionReassignmentsRequest.ReassignablePartition { PartitionIndex = Partition, Replicas = [1] }],
                    },
                ],
            },
            (response, _, code) =>
            {
                Assert.Equal(code, response.ErrorCode);
                var topic = Assert.Single(response.Responses);
                Assert.Equal(Topic, topic.Name);
                var partition = Assert.Single(topic.Partitions);
                Assert.Equal((Partition, code), (partition.PartitionIndex, partition.ErrorCode));
            }),
        new FailureCase<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse>(
            0,
            0,
            _ => new ListPartitionReassignmentsRequest { Topics = null },
            (response, _, code) =>
            {
                Assert.Equal(code, response.ErrorCode);
                Assert.Empty(response.Topics);
            }),
    ];

    public static FailureCase Of(ApiKey apiKey) => All.Single(c => c.ApiKey == apiKey);
}
