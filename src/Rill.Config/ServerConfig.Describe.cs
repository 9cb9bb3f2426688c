namespace Rill.Config;

public sealed partial class ServerConfig
{
    /// <summary>
    /// DescribeConfigs rows for this broker (the BROKER resource named by its node id): every broker key with its value,
    /// source and synonyms, the dynamic values of <paramref name="dynamic"/> over the static ones. Passwords have a
    /// null value and IsSensitive set.
    /// </summary>
    public IReadOnlyList<ConfigEntry> Describe(DynamicBrokerConfig dynamic)
    {
        var entries = new List<ConfigEntry>(Values.Count);
        foreach (var value in Values)
        {
            var definition = value.Definition;
            var synonyms = BrokerSynonyms(definition.Name, dynamic);
            var own = synonyms.Count > 0 ? synonyms[0] : null;
            entries.Add(Entry(definition, own is null ? Masked(definition, value.Value) : own.Value, synonyms));
        }

        return entries;
    }

    /// <summary>
    /// DescribeConfigs rows for the cluster default (the BROKER resource named ""): as Kafka, only the keys set there,
    /// each with its synonyms from that layer alone.
    /// </summary>
    public IReadOnlyList<ConfigEntry> DescribeClusterDefault(DynamicBrokerConfig dynamic)
    {
        var entries = new List<ConfigEntry>();
        foreach (var definition in dynamic.ClusterDefaultKeys)
        {
            var synonyms = BrokerSynonyms(definition.Name, dynamic)
                .Where(synonym => synonym.Source == ConfigSource.DynamicDefaultBrokerConfig)
                .ToList();
            entries.Add(Entry(definition, synonyms[0].Value, synonyms));
        }

        return entries;
    }

    private static ConfigEntry Entry(ConfigDefinition definition, string? value, List<ConfigSynonymEntry> synonyms)
    {
        var source = synonyms.Count > 0 ? synonyms[0].Source : ConfigSource.DefaultConfig;
        return new ConfigEntry(
            definition.Name,
            value,
            source,
            IsDefault: source == ConfigSource.DefaultConfig,
            ReadOnly: !definition.IsDynamic,
            definition.IsSensitive,
            definition.Type,
            definition.Documentation,
            synonyms);
    }

    // As Kafka reports a broker key: the keys that can supply it, from itself down its topic key's precedence chain
    // (log.retention.minutes -> log.retention.hours), each layer in turn (this broker's dynamic values, the cluster
    // default, static values, defaults), starting at the key's own first entry.
    private List<ConfigSynonymEntry> BrokerSynonyms(string name, DynamicBrokerConfig dynamic)
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
        foreach (var (source, valueOf) in TopicConfigs.BrokerLayers(this, dynamic))
        {
            foreach (var key in chain)
            {
                var definition = _values[key].Definition;
                if (valueOf(definition) is { } value)
                {
                    synonyms.Add(new ConfigSynonymEntry(key, Masked(definition, value), source));
                }
            }
        }

        var own = synonyms.FindIndex(synonym => synonym.Name == name);
        return own < 0 ? [] : synonyms[own..];
    }

    private static string? Masked(ConfigDefinition definition, object? value) =>
        definition.IsSensitive || value is null ? null : definition.Format(value);
}
