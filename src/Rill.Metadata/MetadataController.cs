using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Rill.Common;
using Rill.Protocol.MetadataRecords;

namespace Rill.Metadata;

/// <summary>
/// Decides cluster metadata changes (the KRaft controller's job). Every decision is a list of records;
/// nothing changes until those records are durable in the metadata log, and the image is then rebuilt by
/// the same <see cref="MetadataDelta.Replay"/> that start-up runs. One operation at a time.
/// </summary>
public sealed class MetadataController
{
    private const short TopicRecordVersion = 0;
    private const short PartitionRecordVersion = 0;
    private const short ConfigRecordVersion = 0;
    private const short RegisterBrokerRecordVersion = 1;

    private readonly IMetadataLog _log;
    private readonly MetadataControllerConfig _config;
    private readonly ILogger _logger;
    private readonly List<IMetadataPublisher> _publishers = [];
    private readonly Lock _lock = new();
    private MetadataImage _image = MetadataImage.Empty;

    public MetadataController(IMetadataLog log, MetadataControllerConfig config, ILogger<MetadataController> logger)
    {
        _log = log;
        _config = config;
        _logger = logger;
    }

    /// <summary>The current image; handlers read it without locks.</summary>
    public MetadataImage Image => Volatile.Read(ref _image);

    /// <summary>Adds a publisher and hands it the current image at once, as if it had been there from the start.</summary>
    public void AddPublisher(IMetadataPublisher publisher)
    {
        lock (_lock)
        {
            _publishers.Add(publisher);
            publisher.Publish(MetadataImage.Empty, _image);
        }
    }

    /// <summary>Replays the whole metadata log into the first image and publishes it.</summary>
    public void Load()
    {
        lock (_lock)
        {
            var delta = new MetadataDelta(MetadataImage.Empty);
            var records = 0;
            var offset = -1L;
            foreach (var batch in _log.ReadAll())
            {
                foreach (var record in batch.Records)
                {
                    delta.Replay(record.Message);
                    records++;
                }

                offset = batch.LastOffset;
            }

            PublishLocked(delta.Apply(offset));
            MetadataLog.Loaded(_logger, records, offset, _image.Topics.Count);
        }
    }

    /// <summary>Registers this broker's endpoints with a new broker epoch, unfenced (single node: it is alive because it runs this).</summary>
    public void RegisterBroker(int brokerId, Uuid incarnationId, IReadOnlyList<BrokerEndpoint> endpoints, string? rack)
    {
        lock (_lock)
        {
            var epoch = _image.Offset + 1;
            var record = new RegisterBrokerRecord
            {
                BrokerId = brokerId,
                IncarnationId = incarnationId,
                BrokerEpoch = epoch,
                Rack = rack,
                Fenced = false,
            };
            foreach (var endpoint in endpoints)
            {
                record.EndPoints.Add(new RegisterBrokerRecord.BrokerEndpoint
                {
                    Name = endpoint.Name,
                    Host = endpoint.Host,
                    Port = (ushort)endpoint.Port,
                    SecurityProtocol = endpoint.SecurityProtocol,
                });
            }

            CommitLocked([new ApiMessageAndVersion(record, RegisterBrokerRecordVersion)]);
        }
    }

    public ControllerResult CreateTopic(
        string name,
        int numPartitions,
        short replicationFactor,
        IReadOnlyDictionary<string, string> configs,
        bool validateOnly)
    {
        lock (_lock)
        {
            var image = _image;
            if (TopicNames.Validate(name) is { } invalid)
            {
                return ControllerResult.Error(ErrorCode.InvalidTopicException, invalid);
            }

            if (image.Topics.ContainsKey(name))
            {
                return ControllerResult.Error(ErrorCode.TopicAlreadyExists, $"Topic '{name}' already exists.");
            }

            var unified = TopicNames.Unify(name);
            foreach (var existing in image.Topics.Keys)
            {
                if (TopicNames.Unify(existing) == unified)
                {
                    return ControllerResult.Error(
                        ErrorCode.InvalidTopicException,
                        $"Topic '{name}' collides with existing topic '{existing}' ('.' and '_' are treated alike).");
                }
            }

            var partitions = numPartitions == -1 ? _config.DefaultNumPartitions : numPartitions;
            if (partitions <= 0)
            {
                return ControllerResult.Error(ErrorCode.InvalidPartitions, $"Number of partitions must be larger than 0, not {numPartitions}.");
            }

            var factor = replicationFactor == -1 ? _config.DefaultReplicationFactor : replicationFactor;
            var brokers = LiveBrokers(image);
            if (factor <= 0)
            {
                return ControllerResult.Error(ErrorCode.InvalidReplicationFactor, $"Replication factor must be larger than 0, not {replicationFactor}.");
            }

            if (factor > brokers.Length)
            {
                return ControllerResult.Error(
                    ErrorCode.InvalidReplicationFactor,
                    $"Replication factor {factor} is larger than the {brokers.Length} available brokers.");
            }

            var topicId = Uuid.NewRandom();
            var records = new List<ApiMessageAndVersion>(1 + partitions + configs.Count)
            {
                new(new TopicRecord { Name = name, TopicId = topicId }, TopicRecordVersion),
            };
            foreach (var (key, value) in configs)
            {
                records.Add(new(
                    new ConfigRecord { ResourceType = (sbyte)ConfigResourceType.Topic, ResourceName = name, Name = key, Value = value },
                    ConfigRecordVersion));
            }

            for (var p = 0; p < partitions; p++)
            {
                records.Add(new(NewPartition(topicId, p, brokers, factor), PartitionRecordVersion));
            }

            if (validateOnly)
            {
                return new ControllerResult(ErrorCode.None, null, Preview(image, records).Topics[name]);
            }

            CommitLocked(records);
            MetadataLog.TopicCreated(_logger, name, topicId, partitions);
            return new ControllerResult(ErrorCode.None, null, _image.Topics[name]);
        }
    }

    public ControllerResult DeleteTopic(string name)
    {
        lock (_lock)
        {
            if (!_image.Topics.TryGetValue(name, out var topic))
            {
                return ControllerResult.Error(ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
            }

            CommitLocked([new ApiMessageAndVersion(new RemoveTopicRecord { TopicId = topic.Id }, 0)]);
            MetadataLog.TopicDeleted(_logger, name);
            return new ControllerResult(ErrorCode.None, null, topic);
        }
    }

    public ControllerResult CreatePartitions(string name, int totalCount, bool validateOnly)
    {
        lock (_lock)
        {
            var image = _image;
            if (!image.Topics.TryGetValue(name, out var topic))
            {
                return ControllerResult.Error(ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
            }

            var current = topic.Partitions.Length;
            if (totalCount < current)
            {
                return ControllerResult.Error(
                    ErrorCode.InvalidPartitions,
                    $"Topic '{name}' has {current} partitions; the count can only grow, not go to {totalCount}.");
            }

            if (totalCount == current)
            {
                return ControllerResult.Error(ErrorCode.InvalidPartitions, $"Topic '{name}' already has {current} partitions.");
            }

            var brokers = LiveBrokers(image);
            var factor = topic.Partitions[0].Replicas.Length;
            if (factor > brokers.Length)
            {
                return ControllerResult.Error(
                    ErrorCode.InvalidReplicationFactor,
                    $"Topic '{name}' needs {factor} replicas per partition but {brokers.Length} brokers are available.");
            }

            var records = new List<ApiMessageAndVersion>(totalCount - current);
            for (var p = current; p < totalCount; p++)
            {
                records.Add(new(NewPartition(topic.Id, p, brokers, factor), PartitionRecordVersion));
            }

            if (validateOnly)
            {
                return new ControllerResult(ErrorCode.None, null, Preview(image, records).Topics[name]);
            }

            CommitLocked(records);
            MetadataLog.PartitionsCreated(_logger, name, totalCount);
            return new ControllerResult(ErrorCode.None, null, _image.Topics[name]);
        }
    }

    /// <summary>Sets (value non-null) or removes (value null) dynamic configs of one resource, all in one batch.</summary>
    public void AlterConfigs(ConfigResource resource, IReadOnlyList<KeyValuePair<string, string?>> changes)
    {
        lock (_lock)
        {
            CommitConfigsLocked(resource, changes);
        }
    }

    /// <summary>
    /// A read-modify-write of one resource's dynamic configs: <paramref name="decide"/> sees the current image and
    /// returns the changes to record (none to record nothing) with its answer, all under the controller's lock, so
    /// two concurrent alters of the same resource (an APPEND each, say) cannot lose one another's change.
    /// </summary>
    public TResult AlterConfigs<TResult>(
        ConfigResource resource,
        Func<MetadataImage, (IReadOnlyList<KeyValuePair<string, string?>> Changes, TResult Result)> decide)
    {
        lock (_lock)
        {
            var (changes, result) = decide(_image);
            CommitConfigsLocked(resource, changes);
            return result;
        }
    }

    private void CommitConfigsLocked(ConfigResource resource, IReadOnlyList<KeyValuePair<string, string?>> changes)
    {
        if (changes.Count == 0)
        {
            return;
        }

        var records = new List<ApiMessageAndVersion>(changes.Count);
        foreach (var (key, value) in changes)
        {
            records.Add(new(
                new ConfigRecord { ResourceType = (sbyte)resource.Type, ResourceName = resource.Name, Name = key, Value = value },
                ConfigRecordVersion));
        }

        CommitLocked(records);
    }

    private static PartitionRecord NewPartition(Uuid topicId, int partition, IReadOnlyList<int> brokers, int factor)
    {
        var record = new PartitionRecord
        {
            PartitionId = partition,
            TopicId = topicId,
            LeaderEpoch = 0,
            PartitionEpoch = 0,
        };
        for (var i = 0; i < factor; i++)
        {
            var broker = brokers[(partition + i) % brokers.Count];
            record.Replicas.Add(broker);
            record.Isr.Add(broker);
        }

        record.Leader = record.Replicas[0];
        return record;
    }

    private static ImmutableArray<int> LiveBrokers(MetadataImage image) =>
        [.. image.Brokers.Values.Where(b => !b.Fenced).Select(b => b.BrokerId).Order()];

    private static MetadataImage Preview(MetadataImage image, List<ApiMessageAndVersion> records)
    {
        var delta = new MetadataDelta(image);
        foreach (var record in records)
        {
            delta.Replay(record.Message);
        }

        return delta.Apply(image.Offset);
    }

    private void CommitLocked(IReadOnlyList<ApiMessageAndVersion> records)
    {
        var delta = new MetadataDelta(_image);
        foreach (var record in records)
        {
            delta.Replay(record.Message);
        }

        var offset = _log.Append(records);
        PublishLocked(delta.Apply(offset));
    }

    private void PublishLocked(MetadataImage next)
    {
        var previous = _image;
        Volatile.Write(ref _image, next);
        foreach (var publisher in _publishers)
        {
            publisher.Publish(previous, next);
        }
    }
}
