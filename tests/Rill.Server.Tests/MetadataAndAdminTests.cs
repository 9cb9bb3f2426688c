using Rill.Common;
using Rill.Protocol.Messages;

namespace Rill.Server.Tests;

/// <summary>Metadata, CreateTopics, DeleteTopics, CreatePartitions and DescribeCluster at the byte level.</summary>
public sealed class MetadataAndAdminTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public MetadataAndAdminTests(BrokerFixture broker)
    {
        _broker = broker;
    }

    [Fact]
    public async Task ApiVersions_AdvertisesExactlyTheServedApis()
    {
        await using var client = await _broker.ConnectAsync();
        var response = await client.RoundTripAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 3, new ApiVersionsRequest
        {
            ClientSoftwareName = "rill-tests",
            ClientSoftwareVersion = "1.0",
        });
        var advertised = response.ApiKeys.Select(k => $"{(ApiKey)k.ApiKey} {k.MinVersion}-{k.MaxVersion}").ToList();
        Assert.Equal(
            [
                "Produce 0-11",
                "Fetch 4-17",
                "ListOffsets 1-10",
                "Metadata 0-12",
                "OffsetCommit 2-9",
                "OffsetFetch 1-9",
                "FindCoordinator 0-6",
                "JoinGroup 0-9",
                "Heartbeat 0-4",
                "LeaveGroup 0-5",
                "SyncGroup 0-5",
                "DescribeGroups 0-5",
                "ListGroups 0-5",
                "ApiVersions 0-4",
                "CreateTopics 2-7",
                "DeleteTopics 1-6",
                "DeleteRecords 0-2",
                "OffsetForLeaderEpoch 0-4",
                "DescribeConfigs 1-4",
                "AlterConfigs 0-2",
                "DescribeLogDirs 1-4",
                "CreatePartitions 0-3",
                "DeleteGroups 0-2",
                "ElectLeaders 0-2",
                "IncrementalAlterConfigs 0-1",
                "AlterPartitionReassignments 0-0",
                "ListPartitionReassignments 0-0",
                "OffsetDelete 0-0",
                "DescribeQuorum 0-2",
                "DescribeCluster 0-1",
            ],
            advertised);
    }

    [Fact]
    public async Task MetadataV0_WithNoTopics_ListsAllTopics_AndV1WithAnEmptyListListsNone()
    {
        await using var client = await _broker.ConnectAsync();
        await ProduceFetchTests.CreateTopicAsync(client, "md-all");
        var all = await client.RoundTripAsync<MetadataResponse>(ApiKey.Metadata, 0, new MetadataRequest { Topics = [] });
        Assert.Contains(all.Topics, t => t.Name == "md-all");
        var broker = Assert.Single(all.Brokers);
        Assert.Equal(1, broker.NodeId);
        Assert.Equal(_broker.Port, broker.Port);

        var none = await client.RoundTripAsync<MetadataResponse>(ApiKey.Metadata, 1, new MetadataRequest { Topics = [] });
        Assert.Empty(none.Topics);
    }

    [Fact]
    public async Task Metadata_AutoCreatesAnUnknownTopic_UnlessTheRequestForbidsIt()
    {
        await using var client = await _broker.ConnectAsync();
        var forbidden = await client.RoundTripAsync<MetadataResponse>(ApiKey.Metadata, 9, new MetadataRequest
        {
            Topics = [new MetadataRequest.MetadataRequestTopic { Name = "md-auto" }],
            AllowAutoTopicCreation = false,
        });
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, forbidden.Topics[0].ErrorCode);

        var created = await client.RoundTripAsync<MetadataResponse>(ApiKey.Metadata, 9, new MetadataRequest
        {
            Topics = [new MetadataRequest.MetadataRequestTopic { Name = "md-auto" }],
            AllowAutoTopicCreation = true,
        });
        var topic = Assert.Single(created.Topics);
        Assert.Equal((short)ErrorCode.None, topic.ErrorCode);
        var partition = Assert.Single(topic.Partitions);
        Assert.Equal(1, partition.LeaderId);
        Assert.Equal(0, partition.LeaderEpoch);
        Assert.Equal([1], partition.ReplicaNodes);
        Assert.Equal([1], partition.IsrNodes);
    }

    [Fact]
    public async Task Metadata_InvalidTopicName_GetsInvalidTopicException()
    {
        await using var client = await _broker.ConnectAsync();
        var response = await client.RoundTripAsync<MetadataResponse>(ApiKey.Metadata, 4, new MetadataRequest
        {
            Topics = [new MetadataRequest.MetadataRequestTopic { Name = "no spaces allowed" }],
            AllowAutoTopicCreation = true,
        });
        Assert.Equal((short)ErrorCode.InvalidTopicException, response.Topics[0].ErrorCode);
    }

    [Fact]
    public async Task CreateTopics_ReportsEachProblemWithItsCode()
    {
        await using var client = await _broker.ConnectAsync();
        await ProduceFetchTests.CreateTopicAsync(client, "ct-exists");
        var response = await client.RoundTripAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, new CreateTopicsRequest
        {
            Topics =
            [
                new CreateTopicsRequest.CreatableTopic { Name = "ct-exists", NumPartitions = 1, ReplicationFactor = 1 },
                new CreateTopicsRequest.CreatableTopic { Name = "ct-zero", NumPartitions = 0, ReplicationFactor = 1 },
                new CreateTopicsRequest.CreatableTopic { Name = "ct-rf", NumPartitions = 1, ReplicationFactor = 3 },
                new CreateTopicsRequest.CreatableTopic { Name = "bad/name", NumPartitions = 1, ReplicationFactor = 1 },
                new CreateTopicsRequest.CreatableTopic
                {
                    Name = "ct-config",
                    NumPartitions = 1,
                    ReplicationFactor = 1,
                    Configs = [new CreateTopicsRequest.CreatableTopicConfig { Name = "retention.ms", Value = "soon" }],
                },
                new CreateTopicsRequest.CreatableTopic { Name = "ct-good", NumPartitions = 3, ReplicationFactor = -1 },
            ],
            TimeoutMs = 5000,
        });
        var codes = response.Topics.ToDictionary(t => t.Name, t => (ErrorCode)t.ErrorCode);
        Assert.Equal(ErrorCode.TopicAlreadyExists, codes["ct-exists"]);
        Assert.Equal(ErrorCode.InvalidPartitions, codes["ct-zero"]);
        Assert.Equal(ErrorCode.InvalidReplicationFactor, codes["ct-rf"]);
        Assert.Equal(ErrorCode.InvalidTopicException, codes["bad/name"]);
        Assert.Equal(ErrorCode.InvalidConfig, codes["ct-config"]);
        Assert.Equal(ErrorCode.None, codes["ct-good"]);
        var good = response.Topics.Single(t => t.Name == "ct-good");
        Assert.Equal(3, good.NumPartitions);
        Assert.Equal(1, good.ReplicationFactor);
        Assert.NotEqual(Uuid.Zero, good.TopicId);
    }

    [Fact]
    public async Task CreateTopicsValidateOnly_DoesNotCreate()
    {
        await using var client = await _broker.ConnectAsync();
        var response = await client.RoundTripAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = "ct-dry", NumPartitions = 2, ReplicationFactor = 1 }],
            ValidateOnly = true,
        });
        Assert.Equal((short)ErrorCode.None, response.Topics[0].ErrorCode);
        var metadata = await client.RoundTripAsync<MetadataResponse>(ApiKey.Metadata, 12, new MetadataRequest
        {
            Topics = [new MetadataRequest.MetadataRequestTopic { Name = "ct-dry" }],
            AllowAutoTopicCreation = false,
        });
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, metadata.Topics[0].ErrorCode);
    }

    [Fact]
    public async Task DeleteTopics_RemovesTheTopic_AndAnUnknownOneGetsItsCode()
    {
        await using var client = await _broker.ConnectAsync();
        var id = await ProduceFetchTests.CreateTopicAsync(client, "dt-gone");
        var response = await client.RoundTripAsync<DeleteTopicsResponse>(ApiKey.DeleteTopics, 6, new DeleteTopicsRequest
        {
            Topics =
            [
                new DeleteTopicsRequest.DeleteTopicState { TopicId = id },
                new DeleteTopicsRequest.DeleteTopicState { Name = "dt-never-was" },
            ],
            TimeoutMs = 5000,
        });
        Assert.Equal((short)ErrorCode.None, response.Responses[0].ErrorCode);
        Assert.Equal("dt-gone", response.Responses[0].Name);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, response.Responses[1].ErrorCode);
        Assert.False(Directory.Exists(Path.Combine(_broker.Node.DataDirectory, "dt-gone-0")));
    }

    [Fact]
    public async Task CreatePartitions_GrowsATopic_AndRefusesToShrinkIt()
    {
        await using var client = await _broker.ConnectAsync();
        await ProduceFetchTests.CreateTopicAsync(client, "cp-grow", partitions: 2);
        var response = await client.RoundTripAsync<CreatePartitionsResponse>(ApiKey.CreatePartitions, 3, new CreatePartitionsRequest
        {
            Topics =
            [
                new CreatePartitionsRequest.CreatePartitionsTopic { Name = "cp-grow", Count = 5 },
            ],
            TimeoutMs = 5000,
        });
        Assert.Equal((short)ErrorCode.None, response.Results[0].ErrorCode);
        var shrink = await client.RoundTripAsync<CreatePartitionsResponse>(ApiKey.CreatePartitions, 3, new CreatePartitionsRequest
        {
            Topics = [new CreatePartitionsRequest.CreatePartitionsTopic { Name = "cp-grow", Count = 1 }],
            TimeoutMs = 5000,
        });
        Assert.Equal((short)ErrorCode.InvalidPartitions, shrink.Results[0].ErrorCode);
        var metadata = await client.RoundTripAsync<MetadataResponse>(ApiKey.Metadata, 12, new MetadataRequest
        {
            Topics = [new MetadataRequest.MetadataRequestTopic { Name = "cp-grow" }],
        });
        Assert.Equal([0, 1, 2, 3, 4], metadata.Topics[0].Partitions.Select(p => p.PartitionIndex));
    }

    [Fact]
    public async Task DescribeCluster_NamesTheClusterAndThisBroker()
    {
        await using var client = await _broker.ConnectAsync();
        var response = await client.RoundTripAsync<DescribeClusterResponse>(ApiKey.DescribeCluster, 1, new DescribeClusterRequest { EndpointType = 1 });
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.Equal(_broker.Node.Node.ClusterId, response.ClusterId);
        Assert.Equal(1, response.ControllerId);
        var broker = Assert.Single(response.Brokers);
        Assert.Equal(_broker.Port, broker.Port);
    }
}
