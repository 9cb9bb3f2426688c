using Rill.Common;
using Rill.Protocol.Messages;
using Rill.TestKit;

namespace Rill.Server.Tests;

/// <summary>The group APIs on the wire: the codes clients depend on, through the real handlers and coordinator.</summary>
public sealed class GroupApiTests : IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromSeconds(30);

    private readonly BrokerFixture _broker;

    public GroupApiTests(BrokerFixture broker)
    {
        _broker = broker;
    }

    [Fact]
    public async Task FindCoordinator_CreatesTheOffsetsTopic_AndNamesThisBroker_OnePerKeyInV4()
    {
        await using var client = await _broker.ConnectAsync();
        var response = await FindAsync(client, "g-find-1", "g-find-2");
        Assert.All(response.Coordinators, c =>
        {
            Assert.Equal((short)ErrorCode.None, c.ErrorCode);
            Assert.Equal(1, c.NodeId);
            Assert.Equal(_broker.Port, c.Port);
        });
        Assert.Equal(["g-find-1", "g-find-2"], response.Coordinators.Select(c => c.Key));
        Assert.True(_broker.Node.Node.Metadata.Image.Topics.TryGetValue("__consumer_offsets", out var offsets));
        Assert.Equal(50, offsets.Partitions.Length);
    }

    [Fact]
    public async Task FindCoordinatorV0_ForATransactionalKey_IsRefused()
    {
        await using var client = await _broker.ConnectAsync();
        var response = await client.RoundTripAsync<FindCoordinatorResponse>(ApiKey.FindCoordinator, 1, new FindCoordinatorRequest { Key = "txn", KeyType = 1 });
        Assert.Equal((short)ErrorCode.InvalidRequest, response.ErrorCode);
    }

    [Fact]
    public async Task JoinGroupV4_WithoutMemberId_GetsMemberIdRequired_ThenJoinsWithIt()
    {
        await using var client = await _broker.ConnectAsync();
        await FindLoadedCoordinatorAsync(client, "g-join");
        var first = await JoinAsync(client, 4, "g-join", memberId: string.Empty);
        Assert.Equal((short)ErrorCode.MemberIdRequired, first.ErrorCode);
        Assert.StartsWith("rill-tests-", first.MemberId, StringComparison.Ordinal);

        var joined = await JoinAsync(client, 4, "g-join", first.MemberId);
        Assert.Equal((short)ErrorCode.None, joined.ErrorCode);
        Assert.Equal(1, joined.GenerationId);
        Assert.Equal(first.MemberId, joined.Leader);
        Assert.Equal("range", joined.ProtocolName);
        Assert.Single(joined.Members);
    }

    [Fact]
    public async Task JoinGroupV2_WithoutMemberId_IsGivenOneDirectly()
    {
        await using var client = await _broker.ConnectAsync();
        await FindLoadedCoordinatorAsync(client, "g-join-v2");
        var joined = await JoinAsync(client, 2, "g-join-v2", memberId: string.Empty);
        Assert.Equal((short)ErrorCode.None, joined.ErrorCode);
        Assert.NotEmpty(joined.MemberId);
    }

    [Fact]
    public async Task JoinGroup_WithAnEmptyGroupId_GetsInvalidGroupId()
    {
        await using var client = await _broker.ConnectAsync();

        // Before __consumer_offsets exists every group request gets COORDINATOR_NOT_AVAILABLE, as in Kafka.
        await FindAsync(client, "g-activate");
        var response = await JoinAsync(client, 5, string.Empty, memberId: string.Empty);
        Assert.Equal((short)ErrorCode.InvalidGroupId, response.ErrorCode);
    }

    [Fact]
    public async Task OffsetCommit_FromAnUnknownMemberOrAStaleGeneration_IsRefused_AndNothingIsStored()
    {
        await using var client = await _broker.ConnectAsync();
        await ProduceFetchTests.CreateTopicAsync(client, "g-commit-topic");
        await FindLoadedCoordinatorAsync(client, "g-commit");
        var first = await JoinAsync(client, 2, "g-commit", string.Empty);
        Assert.Equal((short)ErrorCode.None, first.ErrorCode);
        var member = first.MemberId;
        var joined = await JoinAsync(client, 2, "g-commit", member);
        Assert.Equal((short)ErrorCode.None, joined.ErrorCode);
        Assert.Equal(member, joined.MemberId);
        var synced = await client.RoundTripAsync<SyncGroupResponse>(ApiKey.SyncGroup, 1, new SyncGroupRequest
        {
            GroupId = "g-commit",
            GenerationId = joined.GenerationId,
            MemberId = member,
            Assignments = [new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = member, Assignment = [] }],
        });
        Assert.Equal((short)ErrorCode.None, synced.ErrorCode);

        Assert.Equal(ErrorCode.UnknownMemberId, await CommitAsync(client, "g-commit", joined.GenerationId, "someone-else", 5));
        Assert.Equal(ErrorCode.IllegalGeneration, await CommitAsync(client, "g-commit", joined.GenerationId + 7, member, 5));
        Assert.Equal(-1, await FetchCommittedAsync(client, "g-commit"));

        Assert.Equal(ErrorCode.None, await CommitAsync(client, "g-commit", joined.GenerationId, member, 5));
        Assert.Equal(5, await FetchCommittedAsync(client, "g-commit"));
    }

    private static async Task<FindCoordinatorResponse> FindAsync(RawKafkaClient client, params string[] groups) =>
        await client.RoundTripAsync<FindCoordinatorResponse>(ApiKey.FindCoordinator, 4, new FindCoordinatorRequest { CoordinatorKeys = [.. groups] });

    /// <summary>
    /// FindCoordinator for <paramref name="group"/> (which creates __consumer_offsets on first use), then waits until
    /// the group's partition has loaded. As in Kafka, the broker names itself coordinator as soon as it leads the
    /// partition, while the load still runs, and group requests meanwhile answer COORDINATOR_LOAD_IN_PROGRESS (clients
    /// retry it): a test that joins straight after FindCoordinator races the load. OffsetFetch changes no state, so it
    /// is what the wait polls.
    /// </summary>
    private static async Task FindLoadedCoordinatorAsync(RawKafkaClient client, string group)
    {
        var coordinator = Assert.Single((await FindAsync(client, group)).Coordinators);
        Assert.Equal((short)ErrorCode.None, coordinator.ErrorCode);
        await Eventually.UntilAsync(
            async () => await GroupFetchErrorAsync(client, group) != ErrorCode.CoordinatorLoadInProgress,
            LoadTimeout,
            $"the coordinator partition of {group} has loaded");
        Assert.Equal(ErrorCode.None, await GroupFetchErrorAsync(client, group));
    }

    private static async Task<ErrorCode> GroupFetchErrorAsync(RawKafkaClient client, string group)
    {
        var response = await client.RoundTripAsync<OffsetFetchResponse>(ApiKey.OffsetFetch, 8, new OffsetFetchRequest
        {
            Groups = [new OffsetFetchRequest.OffsetFetchRequestGroup { GroupId = group, Topics = null }],
        });
        return (ErrorCode)Assert.Single(response.Groups).ErrorCode;
    }

    private static Task<JoinGroupResponse> JoinAsync(RawKafkaClient client, short version, string group, string memberId) =>
        client.RoundTripAsync<JoinGroupResponse>(ApiKey.JoinGroup, version, new JoinGroupRequest
        {
            GroupId = group,
            SessionTimeoutMs = 10_000,
            RebalanceTimeoutMs = 10_000,
            MemberId = memberId,
            ProtocolType = "consumer",
            Protocols = [new JoinGroupRequest.JoinGroupRequestProtocol { Name = "range", Metadata = [0, 1] }],
        });

    private static async Task<ErrorCode> CommitAsync(RawKafkaClient client, string group, int generation, string member, long offset)
    {
        var response = await client.RoundTripAsync<OffsetCommitResponse>(ApiKey.OffsetCommit, 8, new OffsetCommitRequest
        {
            GroupId = group,
            GenerationIdOrMemberEpoch = generation,
            MemberId = member,
            Topics =
            [
                new OffsetCommitRequest.OffsetCommitRequestTopic
                {
                    Name = "g-commit-topic",
                    Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = offset }],
                },
            ],
        });
        return (ErrorCode)response.Topics[0].Partitions[0].ErrorCode;
    }

    private static async Task<long> FetchCommittedAsync(RawKafkaClient client, string group)
    {
        var response = await client.RoundTripAsync<OffsetFetchResponse>(ApiKey.OffsetFetch, 7, new OffsetFetchRequest
        {
            GroupId = group,
            Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = "g-commit-topic", PartitionIndexes = [0] }],
        });
        return response.Topics[0].Partitions[0].CommittedOffset;
    }
}
