using System.Globalization;
using Rill.Common;

namespace Rill.Storage;

/// <summary>Partition directory names: <c>&lt;topic&gt;-&lt;partition&gt;</c>, and Kafka's <c>-delete</c> leftovers.</summary>
internal static class PartitionDirectory
{
    public const string DeleteSuffix = "-delete";

    public static string Name(TopicPartition topicPartition) =>
        string.Create(CultureInfo.InvariantCulture, $"{topicPartition.Topic}-{topicPartition.Partition}");

    /// <summary>Topic names may hold '-', so the partition follows the last one.</summary>
    public static bool TryParse(string name, out TopicPartition topicPartition)
    {
        topicPartition = default;
        var dash = name.LastIndexOf('-');
        if (dash <= 0
            || !int.TryParse(name.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
            || !IsValidTopicName(name[..dash]))
        {
            return false;
        }

        topicPartition = new TopicPartition(name[..dash], partition);
        return true;
    }

    /// <summary>Kafka's rule: 1-249 characters of [a-zA-Z0-9._-], not "." or "..".</summary>
    public static bool IsValidTopicName(string topic)
    {
        if (topic.Length is 0 or > 249 || topic is "." or "..")
        {
            return false;
        }

        foreach (var c in topic)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
