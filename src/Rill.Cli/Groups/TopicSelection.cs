using System.Globalization;

namespace Rill.Cli.Groups;

/// <summary><c>--topic orders</c> (every partition) or <c>--topic orders:0,2</c> (those partitions), as kafka-consumer-groups.sh takes it.</summary>
internal sealed record TopicSelection(string Topic, IReadOnlyList<int>? Partitions)
{
    public static bool TryParse(string text, out TopicSelection selection)
    {
        selection = null!;
        var colon = text.LastIndexOf(':');
        var topic = colon < 0 ? text : text[..colon];
        if (topic.Length == 0)
        {
            return false;
        }

        if (colon < 0)
        {
            selection = new TopicSelection(topic, null);
            return true;
        }

        var partitions = new List<int>();
        foreach (var part in text[(colon + 1)..].Split(','))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var partition))
            {
                return false;
            }

            partitions.Add(partition);
        }

        selection = new TopicSelection(topic, partitions);
        return true;
    }
}
