namespace Rill.Metadata;

/// <summary>Kafka's rules for topic names.</summary>
public static class TopicNames
{
    public const int MaxLength = 249;

    /// <summary>Null when the name is legal, otherwise why it is not.</summary>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "Topic name is empty.";
        }

        if (name is "." or "..")
        {
            return $"Topic name cannot be '{name}'.";
        }

        if (name.Length > MaxLength)
        {
            return $"Topic name is {name.Length} characters long; at most {MaxLength} are allowed.";
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return $"Topic name '{name}' contains '{c}'; only ASCII letters, digits, '.', '_' and '-' are allowed.";
            }
        }

        return null;
    }

    /// <summary>Topics the broker keeps for itself (committed offsets, transactions); clients see them flagged internal.</summary>
    public static bool IsInternal(string name) => name is "__consumer_offsets" or "__transaction_state";

    /// <summary>Names that differ only in '.' versus '_' collide in metric names, so Kafka refuses the second one.</summary>
    public static string Unify(string name) => name.Replace('.', '_');
}
