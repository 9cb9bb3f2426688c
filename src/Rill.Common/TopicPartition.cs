namespace Rill.Common;

/// <summary>A partition of a topic, Kafka's name for the unit of ordering and storage.</summary>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    public override string ToString() => $"{Topic}-{Partition}";
}
