namespace Rill.Coordinator.Offsets;

/// <summary>The committed offsets of the groups of one <c>__consumer_offsets</c> partition: group, topic, partition.</summary>
internal sealed class OffsetStore
{
    private static readonly IReadOnlyDictionary<string, Dictionary<int, OffsetAndMetadata>> EmptyTopics =
        new Dictionary<string, Dictionary<int, OffsetAndMetadata>>(StringComparer.Ordinal);

    private readonly Dictionary<string, Dictionary<string, Dictionary<int, OffsetAndMetadata>>> _byGroup = new(StringComparer.Ordinal);

    public int Count { get; private set; }

    public OffsetAndMetadata? Get(string groupId, string topic, int partition) =>
        _byGroup.TryGetValue(groupId, out var topics) && topics.TryGetValue(topic, out var partitions)
            && partitions.TryGetValue(partition, out var offset)
            ? offset
            : null;

    /// <summary>The group's offsets by topic, in order of first commit; empty when it has none.</summary>
    public IReadOnlyDictionary<string, Dictionary<int, OffsetAndMetadata>> OffsetsOf(string groupId) =>
        _byGroup.TryGetValue(groupId, out var topics)
            ? topics
            : EmptyTopics;

    public void Put(string groupId, string topic, int partition, OffsetAndMetadata offset)
    {
        if (!_byGroup.TryGetValue(groupId, out var topics))
        {
            topics = new Dictionary<string, Dictionary<int, OffsetAndMetadata>>(StringComparer.Ordinal);
            _byGroup.Add(groupId, topics);
        }

        if (!topics.TryGetValue(topic, out var partitions))
        {
            partitions = [];
            topics.Add(topic, partitions);
        }

        if (partitions.TryAdd(partition, offset))
        {
            Count++;
        }
        else
        {
            partitions[partition] = offset;
        }
    }

    /// <summary>Every committed offset, copied, in group and then commit order.</summary>
    public List<GroupOffsetSnapshot> Snapshot()
    {
        var snapshot = new List<GroupOffsetSnapshot>(Count);
        foreach (var (groupId, topics) in _byGroup)
        {
            foreach (var (topic, partitions) in topics)
            {
                foreach (var (partition, offset) in partitions)
                {
                    snapshot.Add(new GroupOffsetSnapshot(groupId, topic, partition, offset.CommittedOffset));
                }
            }
        }

        return snapshot;
    }

    public void Clear()
    {
        _byGroup.Clear();
        Count = 0;
    }

    public void Remove(string groupId, string topic, int partition)
    {
        if (!_byGroup.TryGetValue(groupId, out var topics) || !topics.TryGetValue(topic, out var partitions)
            || !partitions.Remove(partition))
        {
            return;
        }

        Count--;
        if (partitions.Count == 0)
        {
            topics.Remove(topic);
            if (topics.Count == 0)
            {
                _byGroup.Remove(groupId);
            }
        }
    }
}
