using Rill.Protocol.MetadataRecords;

namespace Rill.Metadata;

/// <summary>
/// The records a metadata snapshot holds (KIP-630): replayed through <see cref="MetadataDelta"/> from
/// <see cref="MetadataImage.Empty"/> and applied at the image's offset, they give an image equal to the one they were
/// taken from, so that a node can load a snapshot and the log after it instead of the whole log. Features first, as
/// Kafka writes metadata.version first; then brokers, topics with their partitions, and configs, each in a fixed order
/// so that the same image always gives the same snapshot.
/// </summary>
public static class MetadataSnapshot
{
    private const short FeatureLevelRecordVersion = 0;
    private const short TopicRecordVersion = 0;
    private const short PartitionRecordVersion = 0;
    private const short ConfigRecordVersion = 0;

    public static IReadOnlyList<ApiMessageAndVersion> RecordsOf(MetadataImage image)
    {
        var records = new List<ApiMessageAndVersion>();
        foreach (var (name, level) in image.Features.OrderBy(feature => feature.Key, StringComparer.Ordinal))
        {
            records.Add(new(new FeatureLevelRecord { Name = name, FeatureLevel = level }, FeatureLevelRecordVersion));
        }

        foreach (var broker in image.Brokers.Values.OrderBy(broker => broker.BrokerId))
        {
            records.Add(new(BrokerRecordOf(broker), ClusterControl.RegisterBrokerRecordVersion));
        }

        foreach (var topic in image.Topics.Values.OrderBy(topic => topic.Name, StringComparer.Ordinal))
        {
            records.Add(new(new TopicRecord { Name = topic.Name, TopicId = topic.Id }, TopicRecordVersion));
            foreach (var partition in topic.Partitions)
            {
                records.Add(new(
                    new PartitionRecord
                    {
                        TopicId = topic.Id,
                        PartitionId = partition.PartitionId,
                        Replicas = [.. partition.Replicas],
                        Isr = [.. partition.Isr],
                        AddingReplicas = [.. partition.AddingReplicas],
                        RemovingReplicas = [.. partition.RemovingReplicas],
                        Leader = partition.Leader,
                        LeaderRecoveryState = (sbyte)partition.LeaderRecoveryState,
                        LeaderEpoch = partition.LeaderEpoch,
                        PartitionEpoch = partition.PartitionEpoch,
                    },
                    PartitionRecordVersion));
            }
        }

        foreach (var (resource, configs) in image.Configs.OrderBy(c => c.Key.Type).ThenBy(c => c.Key.Name, StringComparer.Ordinal))
        {
            foreach (var (key, value) in configs.OrderBy(config => config.Key, StringComparer.Ordinal))
            {
                records.Add(new(
                    new ConfigRecord { ResourceType = (sbyte)resource.Type, ResourceName = resource.Name, Name = key, Value = value },
                    ConfigRecordVersion));
            }
        }

        return records;
    }

    private static RegisterBrokerRecord BrokerRecordOf(BrokerRegistration broker)
    {
        var record = new RegisterBrokerRecord
        {
            BrokerId = broker.BrokerId,
            IncarnationId = broker.IncarnationId,
            BrokerEpoch = broker.BrokerEpoch,
            Rack = broker.Rack,
            Fenced = broker.Fenced,
            InControlledShutdown = broker.InControlledShutdown,
        };
        foreach (var endpoint in broker.Endpoints)
        {
            record.EndPoints.Add(new RegisterBrokerRecord.BrokerEndpoint
            {
                Name = endpoint.Name,
                Host = endpoint.Host,
                Port = (ushort)endpoint.Port,
                SecurityProtocol = endpoint.SecurityProtocol,
            });
        }

        return record;
    }
}
