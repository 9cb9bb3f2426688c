namespace Rill.Config;

/// <summary>
/// Everything Rill knows about one key: name, type, default, validator, our one-line documentation,
/// scope, whether it can change while running, whether Rill acts on it, and for topic keys the broker
/// keys that supply the default, in Kafka's precedence order.
/// </summary>
public sealed class ConfigDefinition
{
    public ConfigDefinition(
        string name,
        ConfigType type,
        string? defaultText,
        ConfigValidator? validator,
        string documentation,
        ConfigScope scope,
        bool isDynamic,
        bool hasEffect,
        IReadOnlyList<ConfigSynonym> synonyms)
    {
        Name = name;
        Type = type;
        DefaultText = defaultText;
        Validator = validator;
        Documentation = documentation;
        Scope = scope;
        IsDynamic = isDynamic;
        HasEffect = hasEffect;
        Synonyms = synonyms;
        if (defaultText is not null)
        {
            // A default that does not parse or validate is a bug in the table; fail at type load, not at a user's start.
            var value = Parse(defaultText, out var reason);
            DefaultValue = reason is null && value is not null
                ? value
                : throw new InvalidOperationException($"Default '{defaultText}' of {name} is invalid: {reason}.");
        }
    }

    public string Name { get; }

    public ConfigType Type { get; }

    /// <summary>The default as it would be written in server.properties, or null when the key has none.</summary>
    public string? DefaultText { get; }

    /// <summary>The parsed default: bool, int, short, long, double, string or IReadOnlyList&lt;string&gt;.</summary>
    public object? DefaultValue { get; }

    public ConfigValidator? Validator { get; }

    public string Documentation { get; }

    public ConfigScope Scope { get; }

    /// <summary>
    /// True when the value may change while running: every topic key, and the broker keys that AlterConfigs may set on
    /// the BROKER resource (the topic defaults Rill applies live); other broker keys are read-only.
    /// </summary>
    public bool IsDynamic { get; }

    /// <summary>False for keys Kafka defines that Rill accepts so a Kafka file loads, but does not act on.</summary>
    public bool HasEffect { get; }

    /// <summary>For topic keys, the broker keys that supply the default, first match wins.</summary>
    public IReadOnlyList<ConfigSynonym> Synonyms { get; }

    public bool IsSensitive => Type == ConfigType.Password;

    /// <summary>
    /// Parses and validates <paramref name="text"/>. Returns the value, or sets <paramref name="reason"/>.
    /// An empty text for a key without a default means "not set" and returns null.
    /// </summary>
    public object? Parse(string text, out string? reason)
    {
        if (DefaultText is null && text.Trim().Length == 0)
        {
            reason = null;
            return null;
        }

        if (!ConfigValueParser.TryParse(Type, text, out var value, out reason))
        {
            return null;
        }

        reason = Validator?.Check(value);
        return reason is null ? value : null;
    }

    /// <summary>The value as DescribeConfigs and the start-up print show it (secrets are not masked here).</summary>
    public string? Format(object? value) => ConfigValueParser.Format(value);

    public override string ToString() => Name;
}
