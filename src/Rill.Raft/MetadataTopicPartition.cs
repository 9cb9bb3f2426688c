using Rill.Common;

namespace Rill.Raft;

/// <summary>
/// The one partition the metadata quorum replicates, named and numbered as Kafka's (kafka: <c>Topic.CLUSTER_METADATA_TOPIC_NAME</c>,
/// <c>Uuid.METADATA_TOPIC_ID</c>), so Kafka's quorum tools and Rill nodes address the same partition.
/// </summary>
public static class MetadataTopicPartition
{
    public const string TopicName = "__cluster_metadata";

    public const int PartitionIndex = 0;

    /// <summary>Kafka's fixed topic id of the metadata topic: most significant bits 0, least significant 1.</summary>
    public static readonly Uuid TopicId = new(0, 1);

    /// <summary>True for the metadata partition, named as Fetch up to v12 and every other Raft RPC name it.</summary>
    public static bool Matches(string topicName, int partitionIndex) => topicName == TopicName && partitionIndex == PartitionIndex;

    /// <summary>True for the metadata partition as Fetch names it: by topic id from v13, by name before.</summary>
    public static bool Matches(Uuid topicId, string topicName, int partitionIndex) =>
        partitionIndex == PartitionIndex && (topicId == TopicId || topicName == TopicName);
}
