using System.Buffers.Binary;
using System.Collections.Immutable;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rill.Common;
using Rill.Metadata;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Coordinator.Tests;

/// <summary>
/// A coordinator over an in-memory log and a fake clock, with the topics "orders" (3 partitions) and "payments" (1),
/// and helpers that speak the group protocol the way clients do. Nothing sleeps: time moves only by
/// <see cref="AdvanceAsync"/>, and a DescribeGroups for the same group serves as a barrier (its partition's
/// operations run in order, so once it answers, everything queued before it ran).
/// </summary>
internal sealed class CoordinatorHarness : IAsyncDisposable
{
    public const string Orders = "orders";
    public const string Payments = "payments";
    public const int SessionTimeoutMs = 10_000;
    public const int RebalanceTimeoutMs = 20_000;
    public const int OffsetsPartitions = 5;
    public const string ClientHost = "/127.0.0.1";

    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    private CoordinatorHarness(GroupCoordinatorConfig config, InMemoryCoordinatorLog log, FakeTimeProvider time, MetadataImage image,
        bool lateTimers)
    {
        Config = config;
        Log = log;
        Time = time;
        Image = image;
        LateTimers = lateTimers ? new LateTimersTimeProvider(time) : null;
        Coordinator = new GroupCoordinator(config, log, () => Image, CoordinatorTime, NullLoggerFactory.Instance);
    }

    public GroupCoordinatorConfig Config { get; }

    public InMemoryCoordinatorLog Log { get; }

    public FakeTimeProvider Time { get; }

    /// <summary>Set when started with late timers: the coordinator's clock, over <see cref="Time"/>.</summary>
    public LateTimersTimeProvider? LateTimers { get; }

    private TimeProvider CoordinatorTime => LateTimers ?? (TimeProvider)Time;

    public MetadataImage Image { get; set; }

    public GroupCoordinator Coordinator { get; private set; }

    public static GroupCoordinatorConfig DefaultConfig { get; } = GroupCoordinatorConfig.Default with { OffsetsTopicPartitions = OffsetsPartitions };

    /// <param name="lateTimers">The coordinator's clock is <see cref="LateTimers"/>, whose timer callbacks can be held back.</param>
    public static async Task<CoordinatorHarness> StartAsync(GroupCoordinatorConfig? config = null, bool load = true, bool lateTimers = false)
    {
        var harness = new CoordinatorHarness(config ?? DefaultConfig, new InMemoryCoordinatorLog(),
            new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000)), ImageWithTopics(), lateTimers);
        if (load)
        {
            await harness.LoadAllAsync();
        }

        return harness;
    }

    public static MetadataImage ImageWithTopics(bool withOffsetsTopic = true)
    {
        var topics = ImmutableDictionary.Create<string, TopicImage>(StringComparer.Ordinal)
            .Add(Orders, Topic(Orders, 3))
            .Add(Payments, Topic(Payments, 1));
        if (withOffsetsTopic)
        {
            topics = topics.Add(GroupCoordinator.OffsetsTopicName, Topic(GroupCoordinator.OffsetsTopicName, OffsetsPartitions));
        }

        return MetadataImage.Empty with { Topics = topics };
    }

    private static TopicImage Topic(string name, int partitions) => new(
        name,
        Uuid.NewRandom(),
        [.. Enumerable.Range(0, partitions).Select(p => new PartitionRegistration(p, [1], [1], 1, 0, 0))]);

    public Task LoadAllAsync() =>
        Task.WhenAll(Enumerable.Range(0, OffsetsPartitions).Select(p => Coordinator.OnBecomeLeaderAsync(p, CancellationToken.None)));

    /// <summary>A new coordinator over the same log and clock, as after a broker restart; loads every partition.</summary>
    public async Task RestartAsync()
    {
        await Coordinator.DisposeAsync();
        Coordinator = new GroupCoordinator(Config, Log, () => Image, CoordinatorTime, NullLoggerFactory.Instance);
        await LoadAllAsync();
    }

    public ValueTask DisposeAsync() => Coordinator.DisposeAsync();

    public static GroupRequestContext Context(short version, string clientId = "client-a") => new(version, clientId, ClientHost);

    /// <summary>A ConsumerProtocolSubscription as consumers embed it: int16 version, then the struct.</summary>
    public static byte[] Subscription(params string[] topics) =>
        Versioned(new ConsumerProtocolSubscription { Topics = [.. topics] }, 1);

    /// <summary>A cooperative consumer's subscription (v1): it also lists the partitions it owns.</summary>
    public static byte[] SubscriptionOwning(string topic, params int[] owned) => Versioned(
        new ConsumerProtocolSubscription
        {
            Topics = [topic],
            OwnedPartitions = [new ConsumerProtocolSubscription.TopicPartition { Topic = topic, Partitions = [.. owned] }],
        },
        1);

    public static byte[] Assignment(string topic, params int[] partitions) => Versioned(
        new ConsumerProtocolAssignment
        {
            AssignedPartitions = [new ConsumerProtocolAssignment.TopicPartition { Topic = topic, Partitions = [.. partitions] }],
        },
        1);

    private static byte[] Versioned<T>(T message, short version)
        where T : IKafkaMessage
    {
        var body = KafkaMessage.Serialize(message, version);
        var bytes = new byte[2 + body.Length];
        BinaryPrimitives.WriteInt16BigEndian(bytes, version);
        body.CopyTo(bytes, 2);
        return bytes;
    }

    public static JoinGroupRequest JoinRequest(string groupId, string memberId = "", string? instanceId = null,
        string protocolType = "consumer", int sessionTimeoutMs = SessionTimeoutMs, int rebalanceTimeoutMs = RebalanceTimeoutMs,
        params (string Name, byte[] Metadata)[] protocols)
    {
        if (protocols.Length == 0)
        {
            protocols = [("range", Subscription(Orders))];
        }

        return new JoinGroupRequest
        {
            GroupId = groupId,
            MemberId = memberId,
            GroupInstanceId = instanceId,
            SessionTimeoutMs = sessionTimeoutMs,
            RebalanceTimeoutMs = rebalanceTimeoutMs,
            ProtocolType = protocolType,
            Protocols = [.. protocols.Select(p => new JoinGroupRequest.JoinGroupRequestProtocol { Name = p.Name, Metadata = p.Metadata })],
        };
    }

    public Task<JoinGroupResponse> JoinAsync(short version, JoinGroupRequest request, string clientId = "client-a") =>
        Coordinator.JoinGroupAsync(Context(version, clientId), request, CancellationToken.None).AsTask();

    /// <summary>
    /// A new dynamic member through KIP-394 (v5: MEMBER_ID_REQUIRED, then the join with its id). Returns its id and
    /// its join, which waits for the join phase to complete.
    /// </summary>
    public async Task<(string MemberId, Task<JoinGroupResponse> Join)> StartJoinAsync(string groupId, string clientId = "client-a",
        short version = 5, params (string Name, byte[] Metadata)[] protocols)
    {
        var first = await JoinAsync(version, JoinRequest(groupId, protocols: protocols), clientId);
        Assert.Equal((short)ErrorCode.MemberIdRequired, first.ErrorCode);
        var join = JoinAsync(version, JoinRequest(groupId, first.MemberId, protocols: protocols), clientId);
        await DescribeAsync(groupId);
        return (first.MemberId, join);
    }

    /// <summary>Rejoins an existing member and waits until its join was queued and processed.</summary>
    public async Task<Task<JoinGroupResponse>> RejoinAsync(string groupId, string memberId, string clientId = "client-a", short version = 5,
        string? instanceId = null, params (string Name, byte[] Metadata)[] protocols)
    {
        var join = JoinAsync(version, JoinRequest(groupId, memberId, instanceId, protocols: protocols), clientId);
        await DescribeAsync(groupId);
        return join;
    }

    public Task<SyncGroupResponse> SyncAsync(string groupId, string memberId, int generation, short version = 3,
        string? instanceId = null, params (string MemberId, byte[] Assignment)[] assignments) =>
        Coordinator.SyncGroupAsync(
            Context(version),
            new SyncGroupRequest
            {
                GroupId = groupId,
                MemberId = memberId,
                GenerationId = generation,
                GroupInstanceId = instanceId,
                ProtocolType = version >= 5 ? "consumer" : null,
                ProtocolName = version >= 5 ? "range" : null,
                Assignments = [.. assignments.Select(a => new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = a.MemberId, Assignment = a.Assignment })],
            },
            CancellationToken.None).AsTask();

    public async Task<ErrorCode> HeartbeatAsync(string groupId, string memberId, int generation, string? instanceId = null, short version = 3)
    {
        var response = await Coordinator.HeartbeatAsync(
            Context(version),
            new HeartbeatRequest { GroupId = groupId, MemberId = memberId, GenerationId = generation, GroupInstanceId = instanceId },
            CancellationToken.None);
        return (ErrorCode)response.ErrorCode;
    }

    public async Task<DescribeGroupsResponse.DescribedGroup> DescribeAsync(string groupId, short version = 4)
    {
        var response = await Coordinator.DescribeGroupsAsync(Context(version), new DescribeGroupsRequest { Groups = [groupId] },
            CancellationToken.None);
        return Assert.Single(response.Groups);
    }

    /// <summary>Moves the fake clock, then waits until the timer work it released has run on the group's partition.</summary>
    public async Task AdvanceAsync(TimeSpan by, string groupId)
    {
        Time.Advance(by);
        await DescribeAsync(groupId);
    }

    public static async Task<T> Completed<T>(Task<T> task) => await task.WaitAsync(Guard);

    /// <summary>One dynamic member through join (and the initial delay) and sync: a Stable group at generation 1.</summary>
    public async Task<string> StableSingleAsync(string groupId, string clientId = "client-a")
    {
        var (memberId, join) = await StartJoinAsync(groupId, clientId);
        await AdvanceAsync(TimeSpan.FromMilliseconds(Config.GroupInitialRebalanceDelayMs), groupId);
        var joined = await Completed(join);
        Assert.Equal((short)ErrorCode.None, joined.ErrorCode);
        var synced = await Completed(SyncAsync(groupId, memberId, joined.GenerationId, assignments: [(memberId, Assignment(Orders, 0, 1, 2))]));
        Assert.Equal((short)ErrorCode.None, synced.ErrorCode);
        return memberId;
    }

    /// <summary>Two dynamic members, both joined during the initial delay: leader (first) and follower, Stable at generation 1.</summary>
    public async Task<(string Leader, string Follower)> StableTwoAsync(string groupId)
    {
        var (leader, leaderJoin) = await StartJoinAsync(groupId, "client-a");
        var (follower, followerJoin) = await StartJoinAsync(groupId, "client-b");
        await AdvanceAsync(TimeSpan.FromMilliseconds(Config.GroupInitialRebalanceDelayMs), groupId);
        await AdvanceAsync(TimeSpan.FromMilliseconds(Config.GroupInitialRebalanceDelayMs), groupId);
        var leaderJoined = await Completed(leaderJoin);
        var followerJoined = await Completed(followerJoin);
        Assert.Equal(leader, leaderJoined.Leader);
        var followerSync = SyncAsync(groupId, follower, followerJoined.GenerationId);
        var leaderSync = SyncAsync(groupId, leader, leaderJoined.GenerationId,
            assignments: [(leader, Assignment(Orders, 0, 1)), (follower, Assignment(Orders, 2))]);
        Assert.Equal((short)ErrorCode.None, (await Completed(leaderSync)).ErrorCode);
        Assert.Equal((short)ErrorCode.None, (await Completed(followerSync)).ErrorCode);
        return (leader, follower);
    }

    public Task<OffsetCommitResponse> CommitAsync(string groupId, string memberId, int generation, short version = 7,
        params (string Topic, int Partition, long Offset)[] offsets) =>
        Coordinator.OffsetCommitAsync(Context(version), CommitRequest(groupId, memberId, generation, offsets), CancellationToken.None).AsTask();

    public static OffsetCommitRequest CommitRequest(string groupId, string memberId, int generation, params (string Topic, int Partition, long Offset)[] offsets) => new()
    {
        GroupId = groupId,
        MemberId = memberId,
        GenerationIdOrMemberEpoch = generation,
        Topics =
        [
            .. offsets.GroupBy(o => o.Topic).Select(t => new OffsetCommitRequest.OffsetCommitRequestTopic
            {
                Name = t.Key,
                Partitions =
                [
                    .. t.Select(o => new OffsetCommitRequest.OffsetCommitRequestPartition
                    {
                        PartitionIndex = o.Partition,
                        CommittedOffset = o.Offset,
                        CommittedLeaderEpoch = 7,
                        CommittedMetadata = "meta-" + o.Offset,
                    }),
                ],
            }),
        ],
    };

    /// <summary>Every (topic, partition, code) of a commit response, in order.</summary>
    public static List<(string Topic, int Partition, ErrorCode Error)> Codes(OffsetCommitResponse response) =>
        [.. response.Topics.SelectMany(t => t.Partitions.Select(p => (t.Name, p.PartitionIndex, (ErrorCode)p.ErrorCode)))];

    /// <summary>The committed offsets of a group (OffsetFetch v7, all topics), as (topic, partition, offset).</summary>
    public async Task<List<(string Topic, int Partition, long Offset)>> CommittedAsync(string groupId)
    {
        var response = await Coordinator.OffsetFetchAsync(Context(7), new OffsetFetchRequest { GroupId = groupId, Topics = null },
            CancellationToken.None);
        Assert.Equal(0, response.ErrorCode);
        return [.. response.Topics.SelectMany(t => t.Partitions.Select(p => (t.Name, p.PartitionIndex, p.CommittedOffset)))
            .OrderBy(o => o.Name, StringComparer.Ordinal).ThenBy(o => o.PartitionIndex)];
    }
}
