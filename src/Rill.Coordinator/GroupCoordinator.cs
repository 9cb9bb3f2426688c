using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Rill.Common;
using Rill.Coordinator.Runtime;
using Rill.Metadata;

namespace Rill.Coordinator;

/// <summary>
/// Kafka's classic group coordinator and committed offsets, for the <c>__consumer_offsets</c> partitions this broker
/// leads. Each partition has its own event loop (see <see cref="CoordinatorEventLoop"/>): its groups' state is
/// touched by one operation at a time, writes go to <see cref="ICoordinatorLog"/> before anything changes, and
/// requests for groups on different partitions never wait on each other. JoinGroup and SyncGroup wait for the
/// rebalance as awaited tasks, not threads.
/// </summary>
public sealed partial class GroupCoordinator : IAsyncDisposable
{
    /// <summary>The internal topic holding committed offsets and group metadata.</summary>
    public const string OffsetsTopicName = "__consumer_offsets";

    private readonly GroupCoordinatorConfig _config;
    private readonly ICoordinatorLog _log;
    private readonly Func<MetadataImage> _metadata;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<int, GroupCoordinatorShard> _shards = new();
    private readonly Lock _lifecycle = new();
    private volatile bool _disposed;

    public GroupCoordinator(GroupCoordinatorConfig config, ICoordinatorLog log, Func<MetadataImage> metadata, TimeProvider time,
        ILoggerFactory loggerFactory)
    {
        _config = config;
        _log = log;
        _metadata = metadata;
        _time = time;
        _logger = loggerFactory.CreateLogger<GroupCoordinator>();
    }

    /// <summary>
    /// False until <c>__consumer_offsets</c> exists (and after disposal): every group API then answers
    /// COORDINATOR_NOT_AVAILABLE, as Kafka does before the topic is created.
    /// </summary>
    public bool IsActive => !_disposed && _metadata().Topics.ContainsKey(OffsetsTopicName);

    /// <summary>
    /// The <c>__consumer_offsets</c> partition of <paramref name="groupId"/>: Kafka's
    /// <c>Utils.abs(groupId.hashCode()) % partitions</c>, over the topic's partition count once it exists
    /// (offsets.topic.num.partitions before).
    /// </summary>
    public int PartitionFor(string groupId) => GroupPartitioner.PartitionFor(groupId, OffsetsTopicPartitionCount());

    /// <summary>
    /// What FindCoordinator should answer for <paramref name="groupId"/>: NONE when this broker coordinates it,
    /// including while its partition loads (Kafka names the partition leader then, and the group APIs answer
    /// COORDINATOR_LOAD_IN_PROGRESS until the load ends); COORDINATOR_NOT_AVAILABLE when the offsets topic does not
    /// exist yet or this broker does not (yet) lead the partition.
    /// </summary>
    public ErrorCode CoordinatorStateFor(string groupId)
    {
        if (!IsActive)
        {
            return ErrorCode.CoordinatorNotAvailable;
        }

        return _shards.TryGetValue(PartitionFor(groupId), out var shard) && shard.Status != ShardStatus.Closed
            ? ErrorCode.None
            : ErrorCode.CoordinatorNotAvailable;
    }

    /// <summary>
    /// This broker now leads <paramref name="partition"/> of the offsets topic: its records are replayed into groups
    /// and offsets (requests meanwhile answer COORDINATOR_LOAD_IN_PROGRESS). Completes when the load finished; faults
    /// if it failed, leaving the partition's groups answering NOT_COORDINATOR. Calling it again for a partition that
    /// is loaded or loading returns that load.
    /// </summary>
    public Task OnBecomeLeaderAsync(int partition, CancellationToken cancellationToken)
    {
        lock (_lifecycle)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_shards.TryGetValue(partition, out var existing) && existing.Status != ShardStatus.Closed)
            {
                return existing.Load;
            }

            var shard = new GroupCoordinatorShard(partition, _config, _log, _time, _logger);
            _shards[partition] = shard;
            return shard.StartLoading(cancellationToken);
        }
    }

    /// <summary>
    /// This broker no longer leads <paramref name="partition"/>: its groups are dropped, waiting joins and syncs
    /// answer NOT_COORDINATOR and later requests too. Completes when the partition's loop has stopped.
    /// </summary>
    public Task OnResignAsync(int partition)
    {
        GroupCoordinatorShard? shard;
        lock (_lifecycle)
        {
            if (!_shards.TryRemove(partition, out shard))
            {
                return Task.CompletedTask;
            }
        }

        return shard.UnloadAsync();
    }

    /// <summary>Unloads every partition and stops their timers (including the offsets retention check).</summary>
    public async ValueTask DisposeAsync()
    {
        List<GroupCoordinatorShard> shards;
        lock (_lifecycle)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            shards = [.. _shards.Values];
            _shards.Clear();
        }

        await Task.WhenAll(shards.Select(shard => shard.UnloadAsync()));
    }

    private int OffsetsTopicPartitionCount() =>
        _metadata().Topics.TryGetValue(OffsetsTopicName, out var topic) && topic.Partitions.Length > 0
            ? topic.Partitions.Length
            : _config.OffsetsTopicPartitions;

    /// <summary>The active shard coordinating <paramref name="groupId"/>, or the code the group APIs answer instead.</summary>
    private ErrorCode ShardFor(string groupId, out GroupCoordinatorShard? shard)
    {
        shard = null;
        if (!IsActive)
        {
            return ErrorCode.CoordinatorNotAvailable;
        }

        return ShardOf(PartitionFor(groupId), out shard);
    }

    private ErrorCode ShardOf(int partition, out GroupCoordinatorShard? shard)
    {
        shard = null;
        if (!_shards.TryGetValue(partition, out var found))
        {
            return ErrorCode.NotCoordinator;
        }

        switch (found.Status)
        {
            case ShardStatus.Active:
                shard = found;
                return ErrorCode.None;
            case ShardStatus.Loading:
                return ErrorCode.CoordinatorLoadInProgress;
            default:
                return ErrorCode.NotCoordinator;
        }
    }

    /// <summary>
    /// Runs an operation on the shard of <paramref name="groupId"/> and turns a coordinator-level failure into the
    /// API's error shape: the routing codes, the codes the loop fails with, and UNKNOWN_SERVER_ERROR (logged once)
    /// for anything unexpected.
    /// </summary>
    private async ValueTask<T> OnShardAsync<T>(string api, string groupId, Func<GroupCoordinatorShard, ValueTask<T>> operation,
        Func<ErrorCode, T> failed)
    {
        var error = ShardFor(groupId, out var shard);
        if (error != ErrorCode.None)
        {
            return failed(error);
        }

        return await RunAsync(api, groupId, shard!, operation, failed);
    }

    private async ValueTask<T> RunAsync<T>(string api, string groupId, GroupCoordinatorShard shard,
        Func<GroupCoordinatorShard, ValueTask<T>> operation, Func<ErrorCode, T> failed)
    {
        try
        {
            return await shard.RunAsync(() => operation(shard));
        }
        catch (KafkaException exception)
        {
            return failed(exception.ErrorCode);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            GroupLog.RequestFailed(_logger, exception, api, groupId);
            return failed(ErrorCode.UnknownServerError);
        }
    }
}
