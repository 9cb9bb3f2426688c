namespace Rill.Coordinator;

/// <summary>
/// Maps a group id to its <c>__consumer_offsets</c> partition exactly as Kafka does, so that a group keeps its
/// partition (and its committed offsets) when a cluster moves between Kafka and Rill.
/// </summary>
internal static class GroupPartitioner
{
    /// <summary>Kafka's <c>Utils.abs(groupId.hashCode()) % partitions</c>.</summary>
    public static int PartitionFor(string groupId, int partitions) => Abs(JavaHashCode(groupId)) % partitions;

    /// <summary>Java's <c>String.hashCode</c>: s[0]*31^(n-1) + ... + s[n-1] over UTF-16 code units, wrapping.</summary>
    public static int JavaHashCode(string value)
    {
        var hash = 0;
        foreach (var c in value)
        {
            hash = unchecked((31 * hash) + c);
        }

        return hash;
    }

    /// <summary>Kafka's <c>Utils.abs</c>: the absolute value, with int.MinValue mapped to 0 (not <c>x &amp; 0x7fffffff</c>).</summary>
    public static int Abs(int value) => value == int.MinValue ? 0 : Math.Abs(value);
}
