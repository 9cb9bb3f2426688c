using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Rill.Common;
using Rill.Config;
using Rill.Metadata;
using Rill.Storage;

namespace Rill.Replication;

/// <summary>
/// The partitions this broker holds, kept in step with the metadata image: a new image creates the logs of
/// partitions assigned here and deletes those of removed topics. The data path goes through it: appends (acks=-1
/// waits for the high watermark), fetches (long polls wait for min.bytes), offsets by time and record deletion, as
/// results with Kafka's codes; handlers never touch storage. Waiting operations sit in two purgatories, completed
/// on appends, high watermark moves, leadership changes, removals and timeouts (kafka: <c>ReplicaManager</c>).
/// </summary>
public sealed partial class ReplicaManager : IMetadataPublisher
{
    private readonly int _localBrokerId;
    private readonly string _localBrokerName;
    private readonly LogManager _logs;
    private readonly ServerConfig _config;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<TopicPartition, Partition> _partitions = new();
    private readonly TimeProvider _time;
    private MetadataImage _image = MetadataImage.Empty;

    // Assigned here, but their log could not be created or opened (LogCreationException): they answer
    // KAFKA_STORAGE_ERROR, and the next metadata publish or request for them tries again.
    private readonly ConcurrentDictionary<TopicPartition, (Uuid TopicId, PartitionRegistration Registration)> _unavailable = new();

    public ReplicaManager(ServerConfig config, LogManager logs, TimeProvider time, ILogger<ReplicaManager> logger)
    {
        _config = config;
        _localBrokerId = config.NodeId;
        _localBrokerName = DynamicBrokerConfig.NodeName(config.NodeId);
        _time = time;
        ProducePurgatory = new DelayedOperationPurgatory("Produce", time);
        FetchPurgatory = new DelayedOperationPurgatory("Fetch", time);
        _logs = logs;
        _logger = logger;
    }

    public int PartitionCount => _partitions.Count;

    /// <summary>acks=-1 produces waiting for the high watermark.</summary>
    public DelayedOperationPurgatory ProducePurgatory { get; }

    /// <summary>Fetches waiting for min.bytes.</summary>
    public DelayedOperationPurgatory FetchPurgatory { get; }

    /// <summary>The image last published: delayed operations answer against it when they wake.</summary>
    public MetadataImage Image => Volatile.Read(ref _image);

    public IEnumerable<Partition> Partitions => _partitions.Values;

    public bool TryGetPartition(TopicPartition topicPartition, [NotNullWhen(true)] out Partition? partition) =>
        _partitions.TryGetValue(topicPartition, out partition);

    /// <summary>
    /// The partition when this broker leads it; otherwise NOT_LEADER_OR_FOLLOWER for a partition that exists
    /// elsewhere, UNKNOWN_TOPIC_OR_PARTITION for one that does not exist, KAFKA_STORAGE_ERROR for one whose log
    /// could not be created (tried again here, at most once per the log manager's retry backoff).
    /// </summary>
    public ErrorCode GetLeaderPartition(MetadataImage image, TopicPartition topicPartition, out Partition? partition)
    {
        if (_partitions.TryGetValue(topicPartition, out partition))
        {
            return partition.IsLeader ? ErrorCode.None : ErrorCode.NotLeaderOrFollower;
        }

        if (_unavailable.TryGetValue(topicPartition, out var unavailable))
        {
            partition = TryAddPartition(topicPartition, unavailable.TopicId, unavailable.Registration, LogConfigOf(image, topicPartition.Topic));
            return partition is null ? ErrorCode.KafkaStorageError : partition.IsLeader ? ErrorCode.None : ErrorCode.NotLeaderOrFollower;
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
                if (!registration.Replicas.Contains(_localBrokerId))
                {
                    continue;
                }

                var topicPartition = new TopicPartition(name, registration.PartitionId);
                if (_partitions.TryGetValue(topicPartition, out var existing))
                {
                    if (existing.Update(registration))
                    {
                        // Waiting produces and fetches answer NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH now.
                        CompleteDelayedRequests(topicPartition);
                    }

                    if (configChanged)
                    {
                        existing.Log.Config = config;
                    }

                    continue;
                }

                TryAddPartition(topicPartition, topic.Id, registration, config);
            }
        }
    }

    /// <summary>The log config of <paramref name="topic"/> in <paramref name="image"/>, resolved through the topic's overrides, the dynamic and the static broker configs.</summary>
    public LogConfig LogConfigOf(MetadataImage image, string topic) => TopicConfigs.ToLogConfig(image.TopicConfigOf(_config, topic));

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
        var partition = _partitions.GetOrAdd(topicPartition, tp => new Partition(tp, topicId, log, registration, _localBrokerId));
        _unavailable.TryRemove(topicPartition, out _);
        return partition;
    }

    // Dynamic broker configs (the cluster default "" and this broker's own) supply the defaults of every topic's
    // config, so a change to either re-applies every log's config.
    private bool BrokerConfigsChanged(MetadataImage previous, MetadataImage current) =>
        !ReferenceEquals(previous.ConfigsOf(ConfigResourceType.Broker, string.Empty), current.ConfigsOf(ConfigResourceType.Broker, string.Empty))
        || !ReferenceEquals(previous.ConfigsOf(ConfigResourceType.Broker, _localBrokerName), current.ConfigsOf(ConfigResourceType.Broker, _localBrokerName));

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

    private void RemoveTopic(TopicImage topic)
    {
        foreach (var registration in topic.Partitions)
        {
            var topicPartition = new TopicPartition(topic.Name, registration.PartitionId);
            if (_unavailable.TryRemove(topicPartition, out _))
            {
                _logs.DeleteLog(topicPartition);
            }

            if (_partitions.TryRemove(topicPartition, out _))
            {
                CompleteDelayedRequests(topicPartition);
                _logs.DeleteLog(topicPartition);
                ReplicationLog.PartitionRemoved(_logger, topic.Name, registration.PartitionId);
            }
        }
    }
}
