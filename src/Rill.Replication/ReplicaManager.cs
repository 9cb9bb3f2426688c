using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Rill.Client;
using Rill.Common;
using Rill.Config;
using Rill.Metadata;
using Rill.Storage;

namespace Rill.Replication;

/// <summary>
/// The partitions this broker holds, kept in step with the metadata image: a new image creates the logs of
/// partitions assigned here and deletes those of removed topics, makes this broker the leader of the partitions it
/// leads and a follower of the others it replicates, fetched for by the replica fetchers (kafka: <c>makeLeaders</c>,
/// <c>makeFollowers</c>). The data path goes through it: appends (acks=-1 waits for the high watermark), fetches
/// (long polls wait for min.bytes; followers' fetches move the high watermark), offsets by time and by leader epoch,
/// and record deletion, as results with Kafka's codes; handlers never touch storage. Waiting operations sit in two
/// purgatories, completed on appends, high watermark moves, leadership changes, removals and timeouts. As leader it
/// checks every half <c>replica.lag.time.max.ms</c> for followers to drop from the ISR and sends ISR changes to the
/// controller (kafka: <c>ReplicaManager</c>, <c>AlterPartitionManager</c>).
/// </summary>
public sealed partial class ReplicaManager : IMetadataPublisher, IAsyncDisposable
{
    /// <summary>Kafka's <c>retry.backoff.ms</c> default, between attempts of an ISR change the controller could not take.</summary>
    private const int AlterPartitionRetryBackoffMs = 100;

    private readonly int _localBrokerId;
    private readonly string _localBrokerName;
    private readonly LogManager _logs;
    private readonly ServerConfig _config;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<TopicPartition, Partition> _partitions = new();
    private readonly TimeProvider _time;
    private readonly IAlterPartitionSender _alterPartition;
    private readonly ReplicaFetcherManager _fetchers;
    private readonly ITimer _isrExpiration;
    private readonly ITimer _highWatermarkCheckpoint;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, byte> _isrChanges = new();

    /// <summary>Where each followed partition is fetched from; only touched while publishing or under <see cref="_fetchTargetsLock"/>.</summary>
    private readonly Dictionary<TopicPartition, FetchTarget> _fetchTargets = [];
    private readonly Lock _fetchTargetsLock = new();
    private MetadataImage _image = MetadataImage.Empty;
    private int _disposed;

    // Assigned here, but their log could not be created or opened (LogCreationException): they answer
    // KAFKA_STORAGE_ERROR, and the next metadata publish or request for them tries again.
    private readonly ConcurrentDictionary<TopicPartition, (Uuid TopicId, PartitionRegistration Registration)> _unavailable = new();

    /// <param name="transport">How this broker's replica fetchers reach the leaders' inter-broker listeners.</param>
    /// <param name="alterPartition">How ISR changes reach the controller.</param>
    public ReplicaManager(
        ServerConfig config,
        LogManager logs,
        IKafkaTransport transport,
        IAlterPartitionSender alterPartition,
        TimeProvider time,
        ILoggerFactory loggerFactory)
    {
        _config = config;
        _localBrokerId = config.NodeId;
        _localBrokerName = DynamicBrokerConfig.NodeName(config.NodeId);
        _time = time;
        ProducePurgatory = new DelayedOperationPurgatory("Produce", time);
        FetchPurgatory = new DelayedOperationPurgatory("Fetch", time);
        _logs = logs;
        _logger = loggerFactory.CreateLogger<ReplicaManager>();
        _alterPartition = alterPartition;
        _fetchers = new ReplicaFetcherManager(
            ReplicaFetcherConfig.From(config), transport, LocalBrokerEpoch, OnFetchFailed, time, loggerFactory.CreateLogger<ReplicaFetcher>());
        var period = TimeSpan.FromMilliseconds(Math.Max(config.ReplicaLagTimeMaxMs / 2, 1));
        _isrExpiration = time.CreateTimer(static state => ((ReplicaManager)state!).MaybeShrinkIsrs(), this, period, period);
        var checkpointPeriod = TimeSpan.FromMilliseconds(config.ReplicaHighWatermarkCheckpointIntervalMs);
        _highWatermarkCheckpoint = time.CreateTimer(static state => ((ReplicaManager)state!).CheckpointHighWatermarks(), this, checkpointPeriod, checkpointPeriod);
    }

    public int PartitionCount => _partitions.Count;

    /// <summary>acks=-1 produces waiting for the high watermark.</summary>
    public DelayedOperationPurgatory ProducePurgatory { get; }

    /// <summary>Fetches waiting for min.bytes.</summary>
    public DelayedOperationPurgatory FetchPurgatory { get; }

    /// <summary>The image last published: delayed operations answer against it when they wake.</summary>
    public MetadataImage Image => Volatile.Read(ref _image);

    public IEnumerable<Partition> Partitions => _partitions.Values;

    /// <summary>The leaders this broker's replica fetchers fetch from now.</summary>
    public IReadOnlyCollection<LeaderEndpoint> FetchedLeaders => _fetchers.Leaders;

    public bool TryGetPartition(TopicPartition topicPartition, [NotNullWhen(true)] out Partition? partition) =>
        _partitions.TryGetValue(topicPartition, out partition);

    /// <summary>The leader and next fetch offset this broker follows <paramref name="topicPartition"/> from; null when it does not fetch it.</summary>
    public (LeaderEndpoint Leader, long FetchOffset, int LeaderEpoch)? FetchPosition(TopicPartition topicPartition) =>
        _fetchers.FetchPosition(topicPartition);

    /// <summary>
    /// The partition when this broker leads it; otherwise NOT_LEADER_OR_FOLLOWER for a partition that exists
    /// elsewhere, UNKNOWN_TOPIC_OR_PARTITION for one that does not exist, KAFKA_STORAGE_ERROR for one whose log
    /// could not be created (tried again here, at most once per the log manager's retry backoff).
    /// </summary>
    public ErrorCode GetLeaderPartition(MetadataImage image, TopicPartition topicPartition, out Partition? partition)
    {
        var error = GetPartition(image, topicPartition, out partition);
        return error == ErrorCode.None && !partition!.IsLeader ? ErrorCode.NotLeaderOrFollower : error;
    }

    /// <summary>
    /// The partition when this broker holds a replica of it, leader or follower; otherwise as
    /// <see cref="GetLeaderPartition"/> (kafka: <c>getPartitionOrError</c>).
    /// </summary>
    public ErrorCode GetPartition(MetadataImage image, TopicPartition topicPartition, out Partition? partition)
    {
        if (_partitions.TryGetValue(topicPartition, out partition))
        {
            return ErrorCode.None;
        }

        if (_unavailable.TryGetValue(topicPartition, out var unavailable))
        {
            partition = TryAddPartition(topicPartition, unavailable.TopicId, unavailable.Registration, LogConfigOf(image, topicPartition.Topic));
            if (partition is null)
            {
                return ErrorCode.KafkaStorageError;
            }

            ApplyRegistration(partition, unavailable.Registration, image);
            return ErrorCode.None;
        }

        return image.TryGetTopic(topicPartition.Topic, out var topic)
            && topicPartition.Partition >= 0 && topicPartition.Partition < topic.Partitions.Length
                ? ErrorCode.NotLeaderOrFollower
                : ErrorCode.UnknownTopicOrPartition;
    }

    public void Publish(MetadataImage previous, MetadataImage current)
    {
        Volatile.Write(ref _image, current);
        foreach (var (name, topic) in previous.Topics)
        {
            if (!current.Topics.TryGetValue(name, out var now) || now.Id != topic.Id)
            {
                RemoveTopic(topic);
            }
        }

        var brokerConfigsChanged = BrokerConfigsChanged(previous, current);
        foreach (var (name, topic) in current.Topics)
        {
            var config = LogConfigOf(current, name);
            previous.Topics.TryGetValue(name, out var before);
            var configChanged = before is null || brokerConfigsChanged || !ReferenceEquals(
                previous.ConfigsOf(ConfigResourceType.Topic, name),
                current.ConfigsOf(ConfigResourceType.Topic, name));
            foreach (var registration in topic.Partitions)
            {
                var topicPartition = new TopicPartition(name, registration.PartitionId);
                if (!registration.Replicas.Contains(_localBrokerId))
                {
                    // Moved off this broker by a reassignment: it neither leads nor follows any more (its log is left for
                    // the reassignment's cleanup), and what waited on it answers NOT_LEADER_OR_FOLLOWER.
                    StopFetching(topicPartition);
                    if (_partitions.TryGetValue(topicPartition, out var moved) && moved.Update(registration).LeadershipChanged)
                    {
                        CompleteDelayedRequests(topicPartition);
                    }

                    continue;
                }

                if (_partitions.TryGetValue(topicPartition, out var existing))
                {
                    if (configChanged)
                    {
                        existing.Log.Config = config;
                    }

                    ApplyRegistration(existing, registration, current);
                    continue;
                }

                if (TryAddPartition(topicPartition, topic.Id, registration, config) is { } added)
                {
                    ApplyRegistration(added, registration, current);
                }
            }
        }
    }

    /// <summary>The log config of <paramref name="topic"/> in <paramref name="image"/>, resolved through the topic's overrides, the dynamic and the static broker configs.</summary>
    public LogConfig LogConfigOf(MetadataImage image, string topic) => TopicConfigs.ToLogConfig(image.TopicConfigOf(_config, topic));

    /// <summary>
    /// Deletes logs on disk that no partition of the metadata owns: left behind when a topic was deleted but
    /// the broker stopped before removing its files. Kept, they would come back under a new topic of the same name.
    /// </summary>
    public void DeleteStrayLogs()
    {
        foreach (var log in _logs.Logs)
        {
            if (!_partitions.ContainsKey(log.TopicPartition))
            {
                ReplicationLog.StrayLogDeleted(_logger, log.TopicPartition.Topic, log.TopicPartition.Partition);
                _logs.DeleteLog(log.TopicPartition);
            }
        }
    }

    /// <summary>
    /// Stops the replica fetchers, the ISR checks and the ISR changes in flight, then writes the high watermark
    /// checkpoints a last time; the logs stay open for their owner to close.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _isrExpiration.DisposeAsync();
        await _highWatermarkCheckpoint.DisposeAsync();
        await _stopping.CancelAsync();
        await _fetchers.DisposeAsync();
        await Task.WhenAll(_isrChanges.Keys);
        _stopping.Dispose();
        CheckpointHighWatermarks();
    }

    /// <summary>
    /// Applies a registration to a partition held here, then follows the role it gives: a leader stops being fetched for;
    /// a follower is fetched from its leader's inter-broker listener, again from its log end when the leader epoch moved
    /// or the leader's address changed, and not at all while the leader is unknown or unreachable by the image.
    /// </summary>
    private void ApplyRegistration(Partition partition, PartitionRegistration registration, MetadataImage image)
    {
        var topicPartition = partition.TopicPartition;
        var before = partition.Registration;
        if (before is null || !SameRegistration(before, registration))
        {
            var update = partition.Update(registration);
            if (!update.Applied)
            {
                return;
            }

            if (update.IsNewLeaderEpoch && _logger.IsEnabled(LogLevel.Information))
            {
                var state = partition.State;
                if (update.IsLeader)
                {
                    var isr = string.Join(",", state.Isr);
                    ReplicationLog.BecameLeader(_logger, topicPartition.Topic, topicPartition.Partition, state.LeaderEpoch, partition.LogEndOffset,
                        partition.HighWatermark, isr);
                }
                else
                {
                    ReplicationLog.BecameFollower(_logger, topicPartition.Topic, topicPartition.Partition, state.LeaderEpoch, state.LeaderId,
                        partition.LogEndOffset, partition.HighWatermark);
                }
            }

            if (update.LeadershipChanged || update.HighWatermarkIncreased)
            {
                // Waiting produces and fetches answer NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH, or complete, now.
                CompleteDelayedRequests(topicPartition);
            }
        }

        var current = partition.State;
        if (current.LeaderId == _localBrokerId)
        {
            StopFetching(topicPartition);
            return;
        }

        var leader = LeaderEndpointOf(image, current.LeaderId);
        lock (_fetchTargetsLock)
        {
            if (leader is null)
            {
                if (_fetchTargets.Remove(topicPartition))
                {
                    _fetchers.RemovePartition(topicPartition);
                }

                return;
            }

            var target = new FetchTarget(leader, current.LeaderEpoch, Failed: false);
            if (_fetchTargets.TryGetValue(topicPartition, out var fetching)
                && fetching.Leader.Equals(leader) && fetching.LeaderEpoch == current.LeaderEpoch)
            {
                // Already fetched, or stopped by the fetcher in this very epoch: that waits for newer metadata.
                return;
            }

            _fetchTargets[topicPartition] = target;
            _fetchers.AddPartition(new InitialFetchState(partition, leader, current.LeaderEpoch, partition.LogEndOffset));
        }
    }

    private static bool SameRegistration(PartitionRegistration a, PartitionRegistration b) =>
        ReferenceEquals(a, b)
        || (a.PartitionId == b.PartitionId && a.Leader == b.Leader && a.LeaderEpoch == b.LeaderEpoch && a.PartitionEpoch == b.PartitionEpoch
            && a.Replicas.SequenceEqual(b.Replicas) && a.Isr.SequenceEqual(b.Isr));

    /// <summary>The leader's address on <c>inter.broker.listener.name</c> as its registration lists it; null when unknown.</summary>
    private LeaderEndpoint? LeaderEndpointOf(MetadataImage image, int leaderId)
    {
        if (leaderId < 0 || _config.InterBrokerListenerName is not { } listener || !image.Brokers.TryGetValue(leaderId, out var broker))
        {
            return null;
        }

        foreach (var endpoint in broker.Endpoints)
        {
            if (string.Equals(endpoint.Name, listener, StringComparison.OrdinalIgnoreCase))
            {
                return new LeaderEndpoint(leaderId, endpoint.Host, endpoint.Port);
            }
        }

        return null;
    }

    private void StopFetching(TopicPartition topicPartition)
    {
        lock (_fetchTargetsLock)
        {
            if (_fetchTargets.Remove(topicPartition))
            {
                _fetchers.RemovePartition(topicPartition);
            }
        }
    }

    /// <summary>
    /// The fetcher of <paramref name="leader"/> stopped a partition it fetched in <paramref name="leaderEpoch"/> (fenced in
    /// that epoch, or its log failed): it stays stopped until the metadata moves it on. A report about an epoch or leader
    /// the partition has already left is old news and changes nothing.
    /// </summary>
    private void OnFetchFailed(TopicPartition topicPartition, LeaderEndpoint leader, int leaderEpoch)
    {
        lock (_fetchTargetsLock)
        {
            if (_fetchTargets.TryGetValue(topicPartition, out var target) && target.Leader.Equals(leader) && target.LeaderEpoch == leaderEpoch)
            {
                _fetchTargets[topicPartition] = target with { Failed = true };
                _fetchers.ForgetPartition(topicPartition, leader);
            }
        }
    }

    /// <summary>This broker's epoch in the image (the controller gives it at registration); -1 before it has one.</summary>
    private long LocalBrokerEpoch() => Image.Brokers.TryGetValue(_localBrokerId, out var self) ? self.BrokerEpoch : -1;

    /// <summary>The new partition, or null when its log cannot be created: one partition's failure never fails the publish.</summary>
    private Partition? TryAddPartition(TopicPartition topicPartition, Uuid topicId, PartitionRegistration registration, LogConfig config)
    {
        Log log;
        try
        {
            log = _logs.GetOrCreateLog(topicPartition, config);
        }
        catch (LogCreationException)
        {
            // The log manager logged it; the partition answers KAFKA_STORAGE_ERROR until a later attempt succeeds.
            _unavailable[topicPartition] = (topicId, registration);
            return null;
        }

        log.Config = config;
        var partition = _partitions.GetOrAdd(topicPartition, tp =>
        {
            // A log that was here before the start: its last checkpointed high watermark (the log keeps it within its offsets).
            if (CheckpointedHighWatermark(log) is { } highWatermark)
            {
                log.HighWatermark = highWatermark;
            }

            return new Partition(tp, topicId, log, _localBrokerId, _config.ReplicaLagTimeMaxMs, () => Image, _time);
        });
        _unavailable.TryRemove(topicPartition, out _);
        return partition;
    }

    // Dynamic broker configs (the cluster default "" and this broker's own) supply the defaults of every topic's
    // config, so a change to either re-applies every log's config.
    private bool BrokerConfigsChanged(MetadataImage previous, MetadataImage current) =>
        !ReferenceEquals(previous.ConfigsOf(ConfigResourceType.Broker, string.Empty), current.ConfigsOf(ConfigResourceType.Broker, string.Empty))
        || !ReferenceEquals(previous.ConfigsOf(ConfigResourceType.Broker, _localBrokerName), current.ConfigsOf(ConfigResourceType.Broker, _localBrokerName));

    private void RemoveTopic(TopicImage topic)
    {
        foreach (var registration in topic.Partitions)
        {
            var topicPartition = new TopicPartition(topic.Name, registration.PartitionId);
            StopFetching(topicPartition);
            if (_unavailable.TryRemove(topicPartition, out _))
            {
                _logs.DeleteLog(topicPartition);
            }

            if (_partitions.TryRemove(topicPartition, out var partition))
            {
                partition.MarkRemoved();
                CompleteDelayedRequests(topicPartition);
                _logs.DeleteLog(topicPartition);
                ReplicationLog.PartitionRemoved(_logger, topic.Name, registration.PartitionId);
            }
        }
    }

    /// <summary>Where a followed partition is fetched from; <paramref name="Failed"/> once its fetcher stopped it in this epoch.</summary>
    private readonly record struct FetchTarget(LeaderEndpoint Leader, int LeaderEpoch, bool Failed);
}
