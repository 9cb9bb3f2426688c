using Microsoft.Extensions.Logging;
using Rill.Common;
using Rill.Coordinator.Groups;
using Rill.Coordinator.Offsets;
using Rill.Coordinator.Records;
using Rill.Protocol.CoordinatorRecords;
using Rill.Protocol.Messages;

namespace Rill.Coordinator.Runtime;

/// <summary>
/// The coordinator of one __consumer_offsets partition: its classic groups and committed offsets, the timers that
/// drive them, and the event loop every one of its operations runs on (Kafka's GroupCoordinatorShard). Methods
/// other than the lifecycle ones must run on the loop; <see cref="RunAsync{T}"/> puts them there.
/// </summary>
internal sealed partial class GroupCoordinatorShard : IAsyncDisposable
{
    /// <summary>Kafka's offsets.load.buffer.size: how much of the partition one read brings in while loading.</summary>
    private const int LoadReadBytes = 5 * 1024 * 1024;

    /// <summary>Kafka's fixed classic-group new-member join timeout: a new member's JoinGroup is not kept longer.</summary>
    private const int NewMemberJoinTimeoutMs = 5 * 60 * 1000;

    private static readonly Dictionary<string, byte[]> EmptyAssignment = new(StringComparer.Ordinal);

    private readonly GroupCoordinatorConfig _config;
    private readonly ICoordinatorLog _log;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CoordinatorEventLoop _loop;
    private readonly CoordinatorTimer _timer;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Dictionary<string, ClassicGroup> _groups = new(StringComparer.Ordinal);
    private readonly OffsetStore _offsets = new();
    private volatile ShardStatus _status = ShardStatus.Loading;
    private Task _load = Task.CompletedTask;
    private Lazy<Task>? _unload;

    public GroupCoordinatorShard(int partition, GroupCoordinatorConfig config, ICoordinatorLog log, TimeProvider time, ILogger logger)
    {
        Partition = partition;
        _config = config;
        _log = log;
        _time = time;
        _logger = logger;
        _loop = new CoordinatorEventLoop();
        _timer = new CoordinatorTimer(time, _loop, (key, exception) => GroupLog.TimerFailed(_logger, exception, key.Kind, key.GroupId, Partition));
    }

    public int Partition { get; }

    public ShardStatus Status => _status;

    /// <summary>The load started by <see cref="StartLoading"/>; faults when loading failed.</summary>
    public Task Load => _load;

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Queues the replay of the partition as the loop's first operation; requests meanwhile see <see cref="ShardStatus.Loading"/>.</summary>
    public Task StartLoading(CancellationToken cancellationToken)
    {
        _load = _loop.SubmitAsync(() => LoadAsync(cancellationToken));
        return _load;
    }

    /// <summary>
    /// Runs <paramref name="operation"/> on the loop once the partition is active, after the expirations that are
    /// due (a late timer must not let a request see a session that has ended); fails with the code the group APIs
    /// answer (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS) when it is not.
    /// </summary>
    public Task<T> RunAsync<T>(Func<ValueTask<T>> operation) => _loop.SubmitAsync(async () =>
    {
        switch (_status)
        {
            case ShardStatus.Active:
                await _timer.RunDueAsync();
                return await operation();
            case ShardStatus.Loading:
                throw new KafkaException(ErrorCode.CoordinatorLoadInProgress, $"__consumer_offsets-{Partition} is loading.");
            default:
                throw new KafkaException(ErrorCode.NotCoordinator, $"__consumer_offsets-{Partition} is not coordinated here.");
        }
    });

    /// <summary>
    /// Resigns the partition: waiting joins and syncs answer NOT_COORDINATOR, timers stop, the loop ends. Every call
    /// returns the same unload.
    /// </summary>
    public Task UnloadAsync()
    {
        var unload = new Lazy<Task>(UnloadOnceAsync);
        return (Interlocked.CompareExchange(ref _unload, unload, null) ?? unload).Value;
    }

    private async Task UnloadOnceAsync()
    {
        _status = ShardStatus.Closed;
        await _lifetime.CancelAsync();
        try
        {
            await _loop.SubmitAsync(() =>
            {
                Unload();
                return ValueTask.FromResult(true);
            });
        }
        catch (KafkaException)
        {
            // The loop had already stopped (a failed load): there is nothing to unload.
        }

        _loop.Complete();
        await _loop.Completion;
        _lifetime.Dispose();
    }

    public ValueTask DisposeAsync() => new(UnloadAsync());

    private void Unload()
    {
        _timer.CancelAll();
        foreach (var group in _groups.Values)
        {
            group.TransitionTo(ClassicGroupState.Dead, NowMs);
            foreach (var member in group.Members)
            {
                group.CompleteJoin(member, new JoinGroupResponse { MemberId = member.MemberId, ErrorCode = (short)ErrorCode.NotCoordinator });
                ClassicGroup.CompleteSync(member, new SyncGroupResponse { ErrorCode = (short)ErrorCode.NotCoordinator });
            }
        }

        GroupLog.PartitionUnloaded(_logger, Partition, _groups.Count);
        _groups.Clear();
    }

    /// <summary>
    /// Appends <paramref name="records"/> as one batch and returns the log's error (NONE once committed). Runs on the
    /// loop, which waits for it: nothing else changes this partition's state meanwhile.
    /// </summary>
    private async ValueTask<ErrorCode> AppendAsync(List<CoordinatorRecord> records)
    {
        if (records.Count == 0)
        {
            return ErrorCode.None;
        }

        var batch = CoordinatorRecordSerde.BuildBatch(records, NowMs);
        try
        {
            var result = await _log.AppendAsync(Partition, batch, _lifetime.Token);
            return result.ErrorCode;
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            return ErrorCode.NotCoordinator;
        }
        catch (KafkaException exception)
        {
            return exception.ErrorCode;
        }
        catch (IOException exception)
        {
            GroupLog.AppendFailed(_logger, exception, Partition);
            return ErrorCode.KafkaStorageError;
        }
        catch (Exception exception)
        {
            GroupLog.AppendFailed(_logger, exception, Partition);
            return ErrorCode.UnknownServerError;
        }
    }

    /// <summary>How Kafka answers a failed write of group metadata.</summary>
    private static ErrorCode GroupWriteError(ErrorCode appendError) => appendError switch
    {
        ErrorCode.UnknownTopicOrPartition or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend
            or ErrorCode.RequestTimedOut => ErrorCode.CoordinatorNotAvailable,
        ErrorCode.NotLeaderOrFollower or ErrorCode.KafkaStorageError => ErrorCode.NotCoordinator,
        ErrorCode.MessageTooLarge or ErrorCode.RecordListTooLarge or ErrorCode.InvalidFetchSize => ErrorCode.UnknownServerError,
        _ => appendError,
    };

    /// <summary>How Kafka's classic coordinator answers a failed write of offsets: too large is INVALID_COMMIT_OFFSET_SIZE.</summary>
    private static ErrorCode OffsetWriteError(ErrorCode appendError) => appendError switch
    {
        ErrorCode.MessageTooLarge or ErrorCode.RecordListTooLarge or ErrorCode.InvalidFetchSize => ErrorCode.InvalidCommitOffsetSize,
        _ => GroupWriteError(appendError),
    };

    /// <summary>Applies committed offset records and tombstones, at load and after a write succeeded.</summary>
    private void Replay(CoordinatorRecord record)
    {
        switch (record)
        {
            case OffsetCommitRecord { Offset: null } tombstone:
                _offsets.Remove(tombstone.GroupId, tombstone.Topic, tombstone.Partition);
                break;
            case OffsetCommitRecord { Offset: { } offset } commit:
                // Offsets without group metadata belong to a "simple" group: an Empty group with no protocol type.
                if (!_groups.ContainsKey(commit.GroupId))
                {
                    _groups.Add(commit.GroupId, new ClassicGroup(commit.GroupId, NowMs));
                }

                _offsets.Put(commit.GroupId, commit.Topic, commit.Partition, offset);
                break;
            case GroupMetadataRecord { Value: null } groupTombstone:
                RemoveGroup(groupTombstone.GroupId);
                break;
            case GroupMetadataRecord { Value: { } value } metadata:
                _groups[metadata.GroupId] = GroupFromRecord(metadata.GroupId, value);
                break;
        }
    }

    private void RemoveGroup(string groupId)
    {
        if (_groups.Remove(groupId, out var group))
        {
            group.TransitionTo(ClassicGroupState.Dead, NowMs);
            _timer.CancelGroup(groupId);
        }
    }

    /// <summary>The GroupMetadata record that persists <paramref name="group"/> with these assignments (Kafka's value v3).</summary>
    private static GroupMetadataRecord GroupRecord(ClassicGroup group, Dictionary<string, byte[]> assignment)
    {
        var value = new GroupMetadataValue
        {
            ProtocolType = group.ProtocolType ?? string.Empty,
            Generation = group.GenerationId,
            Protocol = group.ProtocolName,
            Leader = group.LeaderId,
            CurrentStateTimestamp = group.CurrentStateTimestampMs ?? -1,
        };
        foreach (var member in group.Members)
        {
            var protocol = group.ProtocolName
                ?? throw new InvalidOperationException($"Group {group.GroupId} has members but no protocol.");
            value.Members.Add(new GroupMetadataValue.MemberMetadata
            {
                MemberId = member.MemberId,
                GroupInstanceId = member.GroupInstanceId,
                ClientId = member.ClientId,
                ClientHost = member.ClientHost,
                RebalanceTimeout = member.RebalanceTimeoutMs,
                SessionTimeout = member.SessionTimeoutMs,
                Subscription = member.Metadata(protocol),
                Assignment = assignment.TryGetValue(member.MemberId, out var bytes) ? bytes : [],
            });
        }

        return new GroupMetadataRecord(group.GroupId, value);
    }

    /// <summary>A group as its record describes it: Stable with its members if it had any, else Empty.</summary>
    private static ClassicGroup GroupFromRecord(string groupId, GroupMetadataValue value)
    {
        var group = new ClassicGroup(
            groupId,
            value.Members.Count == 0 ? ClassicGroupState.Empty : ClassicGroupState.Stable,
            value.Generation,
            string.IsNullOrEmpty(value.ProtocolType) ? null : value.ProtocolType,
            value.Protocol,
            value.Leader,
            value.CurrentStateTimestamp == -1 ? null : value.CurrentStateTimestamp);
        foreach (var member in value.Members)
        {
            group.Add(
                new ClassicGroupMember(
                    member.MemberId,
                    member.GroupInstanceId,
                    member.ClientId,
                    member.ClientHost,
                    member.RebalanceTimeout == -1 ? member.SessionTimeout : member.RebalanceTimeout,
                    member.SessionTimeout,
                    value.ProtocolType,
                    [new MemberProtocol(value.Protocol ?? string.Empty, member.Subscription)],
                    member.Assignment),
                awaitingJoin: null);
        }

        group.RefreshSubscribedTopics();
        return group;
    }
}
