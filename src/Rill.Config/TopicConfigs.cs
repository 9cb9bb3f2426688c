using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Rill.Config;

/// <summary>
/// Every topic key Rill accepts, with its broker synonyms in Kafka's precedence order
/// (kafka: ServerTopicConfigSynonyms): an override on the topic wins, then the first broker synonym
/// set dynamically for this broker, then as the cluster default, then at start, then the broker
/// synonyms' defaults, then the topic key's own default.
/// </summary>
public static partial class TopicConfigs
{
    public const string SegmentBytesConfig = "segment.bytes";
    public const string SegmentMsConfig = "segment.ms";
    public const string SegmentJitterMsConfig = "segment.jitter.ms";
    public const string SegmentIndexBytesConfig = "segment.index.bytes";
    public const string FlushMessagesConfig = "flush.messages";
    public const string FlushMsConfig = "flush.ms";
    public const string RetentionBytesConfig = "retention.bytes";
    public const string RetentionMsConfig = "retention.ms";
    public const string MaxMessageBytesConfig = "max.message.bytes";
    public const string IndexIntervalBytesConfig = "index.interval.bytes";
    public const string MessageTimestampTypeConfig = "message.timestamp.type";
    public const string MessageTimestampBeforeMaxMsConfig = "message.timestamp.before.max.ms";
    public const string MessageTimestampAfterMaxMsConfig = "message.timestamp.after.max.ms";
    public const string CleanupPolicyConfig = "cleanup.policy";
    public const string MinInSyncReplicasConfig = "min.insync.replicas";
    public const string CompressionTypeConfig = "compression.type";
    public const string DeleteRetentionMsConfig = "delete.retention.ms";
    public const string MinCompactionLagMsConfig = "min.compaction.lag.ms";
    public const string MaxCompactionLagMsConfig = "max.compaction.lag.ms";
    public const string MinCleanableDirtyRatioConfig = "min.cleanable.dirty.ratio";
    public const string FileDeleteDelayMsConfig = "file.delete.delay.ms";
    public const string PreallocateConfig = "preallocate";
    public const string UncleanLeaderElectionEnableConfig = "unclean.leader.election.enable";

    public const string CleanupPolicyDelete = "delete";
    public const string CleanupPolicyCompact = "compact";

    private static readonly Dictionary<string, ConfigDefinition> ByName = Build();

    /// <summary>Every topic key, in the order DescribeConfigs lists them.</summary>
    public static IReadOnlyList<ConfigDefinition> All { get; } = [.. ByName.Values];

    public static bool TryGet(string name, [NotNullWhen(true)] out ConfigDefinition? definition) =>
        ByName.TryGetValue(name, out definition);

    /// <summary>
    /// Checks topic overrides from CreateTopics or AlterConfigs. Throws <see cref="ConfigException"/>
    /// (INVALID_CONFIG) naming the first unknown key or bad value. A null value means "remove the
    /// override" and is valid for any known key.
    /// </summary>
    public static void Validate(IReadOnlyDictionary<string, string?> topicOverrides)
    {
        foreach (var (key, text) in topicOverrides)
        {
            var definition = Lookup(key);
            if (text is not null)
            {
                ParseOverride(definition, text);
            }
        }
    }

    /// <summary>
    /// The effective value of every topic key for a topic with <paramref name="topicOverrides"/> on
    /// <paramref name="broker"/> with the dynamic broker values <paramref name="dynamic"/>, each with its source and
    /// synonyms as DescribeConfigs reports them: the override, then the broker synonyms set for this broker, set as
    /// the cluster default, set at start, and their defaults (kafka: ConfigHelper.configSynonyms).
    /// Throws <see cref="ConfigException"/> for an unknown key or bad value, as <see cref="Validate"/> does.
    /// </summary>
    public static EffectiveTopicConfig Resolve(
        ServerConfig broker,
        DynamicBrokerConfig dynamic,
        IReadOnlyDictionary<string, string> topicOverrides)
    {
        foreach (var key in topicOverrides.Keys)
        {
            Lookup(key);
        }

        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        var entries = new List<ConfigEntry>(All.Count);
        foreach (var definition in All)
        {
            var synonyms = new List<ConfigSynonymEntry>();
            object? value = null;
            if (topicOverrides.TryGetValue(definition.Name, out var text))
            {
                value = ParseOverride(definition, text);
                synonyms.Add(new ConfigSynonymEntry(definition.Name, Display(definition, value), ConfigSource.DynamicTopicConfig));
            }

            foreach (var (layer, valueOf) in BrokerLayers(broker, dynamic))
            {
                foreach (var synonym in definition.Synonyms)
                {
                    var brokerDefinition = BrokerConfigs.Get(synonym.Name);
                    if (valueOf(brokerDefinition) is { } set)
                    {
                        value ??= FromBroker(definition, synonym, set);
                        synonyms.Add(new ConfigSynonymEntry(synonym.Name, Display(brokerDefinition, set), layer));
                    }
                }
            }

            value ??= definition.DefaultValue
                ?? throw new InvalidOperationException($"Topic key {definition.Name} has no default.");
            values.Add(definition.Name, value);
            var source = synonyms.Count > 0 ? synonyms[0].Source : ConfigSource.DefaultConfig;
            entries.Add(new ConfigEntry(
                definition.Name,
                Display(definition, value),
                source,
                IsDefault: source == ConfigSource.DefaultConfig,
                ReadOnly: !definition.IsDynamic,
                definition.IsSensitive,
                definition.Type,
                definition.Documentation,
                synonyms));
        }

        return new EffectiveTopicConfig(values, entries);
    }

    /// <summary>
    /// Refuses a combination the storage layer would refuse (min.compaction.lag.ms above max.compaction.lag.ms), so
    /// it is answered with INVALID_CONFIG before it is recorded instead of failing when applied to the logs.
    /// </summary>
    public static void CheckApplicable(EffectiveTopicConfig topic, string what)
    {
        try
        {
            ToLogConfig(topic).Validate();
        }
        catch (ArgumentException exception)
        {
            throw new ConfigException(null, $"Invalid configuration for {what}: {exception.Message}.");
        }
    }

    /// <summary>
    /// Where a broker key's value can come from, highest precedence first: for each, the source DescribeConfigs
    /// reports and the value that layer gives the key (null when it gives none).
    /// </summary>
    internal static IEnumerable<(ConfigSource Source, Func<ConfigDefinition, object?> ValueOf)> BrokerLayers(
        ServerConfig broker,
        DynamicBrokerConfig dynamic)
    {
        yield return (ConfigSource.DynamicBrokerConfig, key => dynamic.TryGetPerBroker(key.Name, out var value) ? value : null);
        yield return (ConfigSource.DynamicDefaultBrokerConfig, key => dynamic.TryGetClusterDefault(key.Name, out var value) ? value : null);
        yield return (ConfigSource.StaticBrokerConfig, key => broker.Get(key.Name) is { IsDefault: false, Value: { } value } ? value : null);
        yield return (ConfigSource.DefaultConfig, key => key.DefaultValue);
    }

    private static ConfigDefinition Lookup(string key) =>
        ByName.TryGetValue(key, out var definition)
            ? definition
            : throw new ConfigException(key, $"Unknown topic configuration key '{key}'.");

    private static object ParseOverride(ConfigDefinition definition, string text)
    {
        var value = definition.Parse(text, out var reason);
        if (reason is not null || value is null)
        {
            throw new ConfigException(
                definition.Name,
                $"Invalid value '{text}' for topic configuration '{definition.Name}': {reason ?? "a value is required"}.");
        }

        return value;
    }

    // A broker synonym's value in the topic key's type and unit; a negative time (log.retention.hours=-1)
    // means "forever", which the topic key spells -1.
    private static object FromBroker(ConfigDefinition definition, ConfigSynonym synonym, object value)
    {
        if (synonym.Multiplier != 1)
        {
            var scaled = Convert.ToInt64(value, CultureInfo.InvariantCulture) * synonym.Multiplier;
            return scaled < 0 ? -1L : scaled;
        }

        return definition.Type switch
        {
            ConfigType.Long => Convert.ToInt64(value, CultureInfo.InvariantCulture),
            ConfigType.Int => Convert.ToInt32(value, CultureInfo.InvariantCulture),
            _ => value,
        };
    }

    private static string? Display(ConfigDefinition definition, object value) =>
        definition.IsSensitive ? null : definition.Format(value);
}
