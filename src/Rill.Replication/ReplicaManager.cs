using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Rill.Common;
using Rill.Metadata;
using Rill.Storage;

namespace Rill.Replication;

/// <summary>
/// The partitions this broker holds, kept in step with the metadata image: a new image creates the logs of
/// partitions assigned here and deletes those of removed topics. Handlers reach partitions only through it.
/// </summary>
public sealed class ReplicaManager : IMetadataPublisher
{
    private readonly int _localBrokerId;
    private readonly string _localBrokerName;
    private readonly LogManager _logs;
    private readonly Func<MetadataImage, string, LogConfig> _logConfigFor;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<TopicPartition, Partition> _partitions = new();

    // Assigned here, but their log could not be created or opened (LogCreationException): they answer
    // KAFKA_STORAGE_ERROR, and the next metadata publish or request for them tries again.
    private readonly ConcurrentDictionary<TopicPartition, (Uuid TopicId, PartitionRegistration Registration)> _unavailable = new();

    public ReplicaManager(
        int localBrokerId,
        LogManager logs,
        Func<MetadataImage, string, LogConfig> logConfigFor,
        ILogger<ReplicaManager> logger)
    {
        _localBrokerId = localBrokerId;
        _localBrokerName = localBrokerId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _logs = logs;
        _logConfigFor = logConfigFor;
        _logger = logger;
    }

    public int PartitionCount => _partitions.Count;

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
            partition = TryAddPartition(topicPartition, unavailable.TopicId, unavailable.Registration, _logConfigFor(image, topicPartition.Topic));
            return partition is null ? ErrorCode.KafkaStorageError : partition.IsLeader ? ErrorCode.None : ErrorCode.NotLeaderOrFollower;
        }

        return image.TryGetTopic(topicPartition.Topic, out var topic)
            && topicPartition.Partition >= 0 && topicPartition.Partition < topic.Partitions.Length
                ? ErrorCode.NotLeaderOrFollower
                : ErrorCode.UnknownTopicOrPartition;
    }

    public void Publish(MetadataImage previous, MetadataImage current)
    {
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
            var config = _logConfigFor(current, name);
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
                    existing.Update(registration);
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

            if (_partitions.TryRemove(topicPartition, out var partition))
            {
                partition.WakeWaiters();
                _logs.DeleteLog(topicPartition);
                ReplicationLog.PartitionRemoved(_logger, topic.Name, registration.PartitionId);
            }
        }
    }
}
