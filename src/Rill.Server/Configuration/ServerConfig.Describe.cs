namespace Rill.Server.Configuration;

public sealed partial class ServerConfig
{
    /// <summary>
    /// DescribeConfigs rows for this broker: every broker key with its value, source and synonyms.
    /// Passwords have a null value and IsSensitive set.
    /// </summary>
    public IReadOnlyList<ConfigEntry> Describe()
    {
        var entries = new List<ConfigEntry>(Values.Count);
        foreach (var value in Values)
        {
            var definition = value.Definition;
            var synonyms = BrokerSynonyms(definition.Name);
            var source = synonyms.Count > 0 ? synonyms[0].Source : ConfigSource.DefaultConfig;
            entries.Add(new ConfigEntry(
                definition.Name,
                definition.IsSensitive ? null : definition.Format(value.Value),
                source,
                IsDefault: source == ConfigSource.DefaultConfig,
                ReadOnly: !definition.IsDynamic,
                definition.IsSensitive,
                definition.Type,
                definition.Documentation,
                synonyms));
        }

        return entries;
    }

    // As Kafka reports a broker key: the keys that can supply it, from itself down its topic key's
    // precedence chain (log.retention.minutes -> log.retention.hours), static values before defaults.
    private List<ConfigSynonymEntry> BrokerSynonyms(string name)
    {
        var chain = new List<string> { name };
        foreach (var topicKey in TopicConfigs.All)
        {
            var index = topicKey.Synonyms.ToList().FindIndex(synonym => synonym.Name == name);
            if (index >= 0)
            {
                chain = [.. topicKey.Synonyms.Skip(index).Select(synonym => synonym.Name)];
                break;
            }
        }

        var synonyms = new List<ConfigSynonymEntry>();
        foreach (var key in chain)
        {
            var value = _values[key];
            if (!value.IsDefault && value.Value is not null)
            {
                synonyms.Add(new ConfigSynonymEntry(key, Masked(value.Definition, value.Value), ConfigSource.StaticBrokerConfig));
            }
        }

        foreach (var key in chain)
        {
            var definition = _values[key].Definition;
            if (definition.DefaultValue is not null)
            {
                synonyms.Add(new ConfigSynonymEntry(key, Masked(definition, definition.DefaultValue), ConfigSource.DefaultConfig));
            }
        }

        var own = synonyms.FindIndex(synonym => synonym.Name == name);
        return own < 0 ? [] : synonyms[own..];
    }

    private static string? Masked(ConfigDefinition definition, object value) =>
        definition.IsSensitive ? null : definition.Format(value);
}
