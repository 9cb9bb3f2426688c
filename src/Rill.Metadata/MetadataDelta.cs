using System.Collections.Immutable;
using Rill.Common;
using Rill.Protocol;
using Rill.Protocol.MetadataRecords;

namespace Rill.Metadata;

/// <summary>
/// Replays metadata records onto an image. The same replay runs at start-up over the whole log and after
/// each committed append, so what a restart rebuilds is exactly what the live broker had.
/// </summary>
public sealed class MetadataDelta
{
    private readonly ImmutableDictionary<int, BrokerRegistration>.Builder _brokers;
    private readonly ImmutableDictionary<string, TopicImage>.Builder _topics;
    private readonly ImmutableDictionary<Uuid, string>.Builder _topicNames;
    private readonly ImmutableDictionary<ConfigResource, ImmutableDictionary<string, string>>.Builder _configs;
    private readonly ImmutableDictionary<string, short>.Builder _features;

    public MetadataDelta(MetadataImage image)
    {
        _brokers = image.Brokers.ToBuilder();
        _topics = image.Topics.ToBuilder();
        _topicNames = image.TopicNamesById.ToBuilder();
        _configs = image.Configs.ToBuilder();
        _features = image.Features.ToBuilder();
    }

    public void Replay(IKafkaMessage record)
    {
        switch (record)
        {
            case TopicRecord topic:
                _topics[topic.Name] = new TopicImage(topic.Name, topic.TopicId, []);
                _topicNames[topic.TopicId] = topic.Name;
                break;
            case PartitionRecord partition:
                ReplayPartition(partition);
                break;
            case PartitionChangeRecord change:
                ReplayPartitionChange(change);
                break;
            case RemoveTopicRecord remove:
                ReplayRemoveTopic(remove.TopicId);
                break;
            case ConfigRecord config:
                ReplayConfig(config);
                break;
            case RegisterBrokerRecord broker:
                _brokers[broker.BrokerId] = new BrokerRegistration(
                    broker.BrokerId,
                    broker.BrokerEpoch,
                    [.. broker.EndPoints.Select(e => new BrokerEndpoint(e.Name, e.Host, e.Port, e.SecurityProtocol))],
                    broker.Rack,
                    broker.Fenced)
                {
                    IncarnationId = broker.IncarnationId,
                    InControlledShutdown = broker.InControlledShutdown,
                };
                break;
            case BrokerRegistrationChangeRecord change:
                ReplayRegistrationChange(change.BrokerId, change.BrokerEpoch, FencingChange(change), change.InControlledShutdown switch
                {
                    0 => null,
                    1 => true,
                    _ => throw new InvalidDataException($"A registration change of broker {change.BrokerId} has InControlledShutdown {change.InControlledShutdown}."),
                });
                break;
            case UnfenceBrokerRecord unfence:
                ReplayRegistrationChange(unfence.Id, unfence.Epoch, fenced: false, inControlledShutdown: null);
                break;
            case FenceBrokerRecord fence:
                ReplayRegistrationChange(fence.Id, fence.Epoch, fenced: true, inControlledShutdown: null);
                break;
            case FeatureLevelRecord feature:
                _features[feature.Name] = feature.FeatureLevel;
                break;
            case NoOpRecord:
                break;
            default:
                throw new InvalidDataException($"Metadata record {record.GetType().Name} cannot be replayed here.");
        }
    }

    public MetadataImage Apply(long offset) => new(
        offset,
        _brokers.ToImmutable(),
        _topics.ToImmutable(),
        _topicNames.ToImmutable(),
        _configs.ToImmutable(),
        _features.ToImmutable());

    // Kafka's ClusterControlManager.replayRegistrationChange: a change names the registration it was decided on, so
    // one that arrives for another incarnation is a broken log, not something to apply to the new one.
    private void ReplayRegistrationChange(int brokerId, long epoch, bool? fenced, bool? inControlledShutdown)
    {
        if (!_brokers.TryGetValue(brokerId, out var registered))
        {
            throw new InvalidDataException($"A registration change names broker {brokerId}, which is not registered.");
        }

        if (registered.BrokerEpoch != epoch)
        {
            throw new InvalidDataException($"A registration change names broker {brokerId} at epoch {epoch}; its registration has epoch {registered.BrokerEpoch}.");
        }

        _brokers[brokerId] = registered with
        {
            Fenced = fenced ?? registered.Fenced,
            InControlledShutdown = inControlledShutdown ?? registered.InControlledShutdown,
        };
    }

    private static bool? FencingChange(BrokerRegistrationChangeRecord change) => change.Fenced switch
    {
        -1 => false,
        0 => null,
        1 => true,
        _ => throw new InvalidDataException($"A registration change of broker {change.BrokerId} has Fenced {change.Fenced}."),
    };

    private void ReplayPartition(PartitionRecord record)
    {
        var topic = TopicFor(record.TopicId);
        var registration = new PartitionRegistration(
            record.PartitionId,
            [.. record.Replicas],
            [.. record.Isr],
            record.Leader,
            record.LeaderEpoch,
            record.PartitionEpoch)
        {
            AddingReplicas = [.. record.AddingReplicas],
            RemovingReplicas = [.. record.RemovingReplicas],
            LeaderRecoveryState = RecoveryStateOf(record.LeaderRecoveryState),
        };
        var partitions = topic.Partitions;
        if (record.PartitionId < partitions.Length)
        {
            partitions = partitions.SetItem(record.PartitionId, registration);
        }
        else if (record.PartitionId == partitions.Length)
        {
            partitions = partitions.Add(registration);
        }
        else
        {
            throw new InvalidDataException(
                $"Partition {record.PartitionId} of topic {topic.Name} arrived before partition {partitions.Length}.");
        }

        _topics[topic.Name] = topic with { Partitions = partitions };
    }

    // Kafka's PartitionRegistration.merge: a null list or -2 leader leaves the field as it is; naming a leader, even
    // the same one, starts a new leader epoch (the controller does that on purpose when replicas leave); every change
    // starts a new partition epoch.
    private void ReplayPartitionChange(PartitionChangeRecord record)
    {
        var topic = TopicFor(record.TopicId);
        if (record.PartitionId < 0 || record.PartitionId >= topic.Partitions.Length)
        {
            throw new InvalidDataException($"A change names partition {record.PartitionId} of {topic.Name}, which does not exist.");
        }

        var current = topic.Partitions[record.PartitionId];
        var leaderChanged = record.Leader != PartitionChangeBuilder.NoLeaderChange;
        var next = current with
        {
            Replicas = record.Replicas is null ? current.Replicas : [.. record.Replicas],
            Isr = record.Isr is null ? current.Isr : [.. record.Isr],
            Leader = leaderChanged ? record.Leader : current.Leader,
            LeaderEpoch = leaderChanged ? current.LeaderEpoch + 1 : current.LeaderEpoch,
            PartitionEpoch = current.PartitionEpoch + 1,
            AddingReplicas = record.AddingReplicas is null ? current.AddingReplicas : [.. record.AddingReplicas],
            RemovingReplicas = record.RemovingReplicas is null ? current.RemovingReplicas : [.. record.RemovingReplicas],
            LeaderRecoveryState = record.LeaderRecoveryState == PartitionChangeBuilder.NoRecoveryStateChange
                ? current.LeaderRecoveryState
                : RecoveryStateOf(record.LeaderRecoveryState),
        };
        _topics[topic.Name] = topic with { Partitions = topic.Partitions.SetItem(record.PartitionId, next) };
    }

    private static LeaderRecoveryState RecoveryStateOf(sbyte value) => value switch
    {
        0 => LeaderRecoveryState.Recovered,
        1 => LeaderRecoveryState.Recovering,
        _ => throw new InvalidDataException($"Leader recovery state {value} is not one Kafka defines."),
    };

    private void ReplayRemoveTopic(Uuid topicId)
    {
        var topic = TopicFor(topicId);
        _topics.Remove(topic.Name);
        _topicNames.Remove(topicId);
        _configs.Remove(new ConfigResource(ConfigResourceType.Topic, topic.Name));
    }

    private void ReplayConfig(ConfigRecord record)
    {
        var resource = new ConfigResource((ConfigResourceType)record.ResourceType, record.ResourceName);
        var configs = _configs.TryGetValue(resource, out var existing)
            ? existing
            : ImmutableDictionary.Create<string, string>(StringComparer.Ordinal);
        configs = record.Value is null ? configs.Remove(record.Name) : configs.SetItem(record.Name, record.Value);
        if (configs.IsEmpty)
        {
            _configs.Remove(resource);
        }
        else
        {
            _configs[resource] = configs;
        }
    }

    private TopicImage TopicFor(Uuid topicId)
    {
        if (_topicNames.TryGetValue(topicId, out var name) && _topics.TryGetValue(name, out var topic))
        {
            return topic;
        }

        throw new InvalidDataException($"A metadata record names topic id {topicId}, which no TopicRecord created.");
    }
}
