using Microsoft.Extensions.Logging;
using Rill.Config;
using Rill.Metadata;
using Rill.Protocol.MetadataRecords;
using Rill.Server.Configuration;

namespace Rill.Server.Tests.Configuration;

/// <summary>The dynamic layer over the static configuration: which keys are dynamic, precedence, and how DescribeConfigs reports it.</summary>
public sealed class DynamicBrokerConfigTests
{
    private static readonly Dictionary<string, string> None = [];

    [Fact]
    public void DynamicKeys_AreTheTopicDefaultsRillAppliesLive()
    {
        var dynamic = BrokerConfigs.All.Where(definition => definition.IsDynamic).Select(definition => definition.Name);

        Assert.Equal(
            [
                "log.segment.bytes", "log.roll.ms", "log.retention.ms", "log.retention.bytes", "log.index.size.max.bytes",
                "log.index.interval.bytes", "log.flush.interval.messages", "log.flush.interval.ms", "message.max.bytes",
                "log.message.timestamp.type", "log.message.timestamp.before.max.ms", "log.message.timestamp.after.max.ms",
                "log.segment.delete.delay.ms", "log.cleanup.policy", "log.cleaner.delete.retention.ms",
                "log.cleaner.min.compaction.lag.ms", "log.cleaner.max.compaction.lag.ms", "log.cleaner.min.cleanable.ratio",
                "unclean.leader.election.enable",
            ],
            dynamic);
    }

    [Fact]
    public void DynamicKeys_AreEachTheFirstBrokerSynonymOfATopicKeyRillActsOn()
    {
        // Kafka's rule (DynamicLogConfig.ReconfigurableConfigs): only the first synonym, so log.retention.hours stays static.
        var firstSynonyms = TopicConfigs.All
            .Where(topicKey => topicKey.HasEffect)
            .Select(topicKey => topicKey.Synonyms[0].Name)
            .ToHashSet(StringComparer.Ordinal);

        Assert.All(BrokerConfigs.All.Where(definition => definition.IsDynamic), definition =>
        {
            Assert.Contains(definition.Name, firstSynonyms);
            Assert.True(definition.HasEffect);
        });
        Assert.False(BrokerConfigs.Get("log.retention.hours").IsDynamic);
        Assert.False(BrokerConfigs.Get("log.roll.hours").IsDynamic);
        Assert.False(BrokerConfigs.Get("compression.type").IsDynamic);
    }

    [Fact]
    public void Resolve_ClusterDefault_WinsOverStatic_AndIsListedBetweenTheLayers()
    {
        var broker = ConfigLoad.WithOverrides("log.retention.hours=2");
        var dynamic = DynamicBrokerConfig.From(new Dictionary<string, string> { ["log.retention.ms"] = "60000" }, None);

        var entry = TopicConfigs.Resolve(broker, dynamic, None).Get("retention.ms");

        Assert.Equal("60000", entry.Value);
        Assert.Equal(ConfigSource.DynamicDefaultBrokerConfig, entry.Source);
        Assert.False(entry.IsDefault);
        Assert.Equal(
            [
                new ConfigSynonymEntry("log.retention.ms", "60000", ConfigSource.DynamicDefaultBrokerConfig),
                new ConfigSynonymEntry("log.retention.hours", "2", ConfigSource.StaticBrokerConfig),
                new ConfigSynonymEntry("log.retention.hours", "168", ConfigSource.DefaultConfig),
            ],
            entry.Synonyms);
    }

    [Fact]
    public void Resolve_PerBroker_WinsOverClusterDefault_AndATopicOverrideWinsOverBoth()
    {
        var dynamic = DynamicBrokerConfig.From(
            new Dictionary<string, string> { ["message.max.bytes"] = "2000" },
            new Dictionary<string, string> { ["message.max.bytes"] = "3000" });

        var fromBroker = TopicConfigs.Resolve(ConfigLoad.WithOverrides(), dynamic, None);
        var overridden = TopicConfigs.Resolve(ConfigLoad.WithOverrides(), dynamic, new Dictionary<string, string> { ["max.message.bytes"] = "4000" });

        Assert.Equal(3000, fromBroker.MaxMessageBytes);
        Assert.Equal(ConfigSource.DynamicBrokerConfig, fromBroker.Get("max.message.bytes").Source);
        Assert.Equal(4000, overridden.MaxMessageBytes);
        Assert.Equal(
            [
                new ConfigSynonymEntry("max.message.bytes", "4000", ConfigSource.DynamicTopicConfig),
                new ConfigSynonymEntry("message.max.bytes", "3000", ConfigSource.DynamicBrokerConfig),
                new ConfigSynonymEntry("message.max.bytes", "2000", ConfigSource.DynamicDefaultBrokerConfig),
                new ConfigSynonymEntry("message.max.bytes", "1048588", ConfigSource.DefaultConfig),
            ],
            overridden.Get("max.message.bytes").Synonyms);
    }

    [Fact]
    public void Resolve_DynamicLogRetentionMs_WinsOverAStaticLogRetentionMs()
    {
        var broker = ConfigLoad.WithOverrides("log.retention.ms=5000");
        var dynamic = DynamicBrokerConfig.From(new Dictionary<string, string> { ["log.retention.ms"] = "-1" }, None);

        Assert.Equal(-1L, TopicConfigs.Resolve(broker, dynamic, None).RetentionMs);
    }

    [Fact]
    public void From_IgnoresUnknownReadOnlyAndInvalidStoredValues_SayingWhich()
    {
        var dynamic = DynamicBrokerConfig.From(
            new Dictionary<string, string> { ["log.retention.ms"] = "soon", ["no.such.key"] = "1", ["log.segment.bytes"] = "2097152" },
            new Dictionary<string, string> { ["num.partitions"] = "3" });

        Assert.True(dynamic.TryGetClusterDefault("log.segment.bytes", out var segmentBytes));
        Assert.Equal(2097152, segmentBytes);
        Assert.False(dynamic.TryGetClusterDefault("log.retention.ms", out _));
        Assert.False(dynamic.TryGetPerBroker("num.partitions", out _));
        Assert.Equal(
            [
                "Dynamic config log.retention.ms (cluster default) has the invalid value 'soon' (must be a whole number between -9223372036854775808 and 9223372036854775807); it is ignored.",
                "Dynamic config no.such.key (cluster default) is not a broker configuration; it is ignored.",
                "Dynamic config num.partitions (this broker) cannot be updated dynamically; it is ignored.",
            ],
            dynamic.Ignored);
    }

    [Fact]
    public void Describe_ThisBroker_ShowsDynamicValuesWithTheirSourceAndReadOnlyFlags()
    {
        var broker = ConfigLoad.WithOverrides("log.retention.hours=2");
        var dynamic = DynamicBrokerConfig.From(
            new Dictionary<string, string> { ["log.retention.ms"] = "60000", ["log.segment.bytes"] = "2097152" },
            new Dictionary<string, string> { ["log.segment.bytes"] = "4194304" });

        var entries = broker.Describe(dynamic);

        var retention = entries.Single(entry => entry.Name == "log.retention.ms");
        Assert.Equal(("60000", ConfigSource.DynamicDefaultBrokerConfig, false), (retention.Value, retention.Source, retention.ReadOnly));
        Assert.Equal(
            [
                new ConfigSynonymEntry("log.retention.ms", "60000", ConfigSource.DynamicDefaultBrokerConfig),
                new ConfigSynonymEntry("log.retention.hours", "2", ConfigSource.StaticBrokerConfig),
                new ConfigSynonymEntry("log.retention.hours", "168", ConfigSource.DefaultConfig),
            ],
            retention.Synonyms);
        var segment = entries.Single(entry => entry.Name == "log.segment.bytes");
        Assert.Equal(("4194304", ConfigSource.DynamicBrokerConfig), (segment.Value, segment.Source));
        Assert.Equal(
            [
                new ConfigSynonymEntry("log.segment.bytes", "4194304", ConfigSource.DynamicBrokerConfig),
                new ConfigSynonymEntry("log.segment.bytes", "2097152", ConfigSource.DynamicDefaultBrokerConfig),
                new ConfigSynonymEntry("log.segment.bytes", "1073741824", ConfigSource.DefaultConfig),
            ],
            segment.Synonyms);
        var hours = entries.Single(entry => entry.Name == "log.retention.hours");
        Assert.Equal(("2", ConfigSource.StaticBrokerConfig, true), (hours.Value, hours.Source, hours.ReadOnly));
    }

    [Fact]
    public void DescribeClusterDefault_ListsOnlyTheKeysSetThere_WithSynonymsOfThatLayer()
    {
        var broker = ConfigLoad.WithOverrides("log.segment.bytes=8388608");
        var dynamic = DynamicBrokerConfig.From(
            new Dictionary<string, string> { ["log.segment.bytes"] = "2097152" },
            new Dictionary<string, string> { ["log.retention.ms"] = "1000" });

        var entry = Assert.Single(broker.DescribeClusterDefault(dynamic));

        Assert.Equal("log.segment.bytes", entry.Name);
        Assert.Equal(("2097152", ConfigSource.DynamicDefaultBrokerConfig, false, false), (entry.Value, entry.Source, entry.IsDefault, entry.ReadOnly));
        Assert.Equal([new ConfigSynonymEntry("log.segment.bytes", "2097152", ConfigSource.DynamicDefaultBrokerConfig)], entry.Synonyms);
    }

    [Fact]
    public void CheckApplicable_MinCompactionLagAboveMax_IsAConfigErrorNamingWhat()
    {
        var topic = TopicConfigs.Resolve(
            ConfigLoad.WithOverrides(),
            DynamicBrokerConfig.From(new Dictionary<string, string> { ["log.cleaner.min.compaction.lag.ms"] = "10" }, None),
            new Dictionary<string, string> { ["max.compaction.lag.ms"] = "5" });

        var error = Assert.Throws<ConfigException>(() => TopicConfigs.CheckApplicable(topic, "topic 't'"));

        Assert.Equal(
            "Invalid configuration for topic 't': min.compaction.lag.ms=10 is invalid: must be at most max.compaction.lag.ms=5.",
            error.Message);
    }

    [Fact]
    public void LogPublisher_LogsEachChangeOfThisBrokersResources_AndIgnoredValues()
    {
        var logger = new RecordingLogger();
        var publisher = new DynamicConfigLogPublisher(1, logger);
        var first = Image(MetadataImage.Empty, ("", "log.retention.ms", "1000"), ("2", "log.retention.ms", "5"));
        var second = Image(first, ("", "log.retention.ms", null), ("1", "num.partitions", "3"));

        publisher.Publish(MetadataImage.Empty, first);
        publisher.Publish(first, second);
        publisher.Publish(second, second);

        Assert.Equal(
            [
                (LogLevel.Information, 3902, "Dynamic broker config log.retention.ms set to 1000 (cluster default)"),
                (LogLevel.Information, 3903, "Dynamic broker config log.retention.ms removed (cluster default)"),
                (LogLevel.Information, 3902, "Dynamic broker config num.partitions set to 3 (broker 1)"),
                (LogLevel.Warning, 3901, "Dynamic config num.partitions (this broker) cannot be updated dynamically; it is ignored."),
            ],
            logger.Events);
    }

    private static MetadataImage Image(MetadataImage previous, params (string Broker, string Key, string? Value)[] records)
    {
        var delta = new MetadataDelta(previous);
        foreach (var (broker, key, value) in records)
        {
            delta.Replay(new ConfigRecord { ResourceType = (sbyte)ConfigResourceType.Broker, ResourceName = broker, Name = key, Value = value });
        }

        return delta.Apply(previous.Offset + 1);
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<(LogLevel Level, int EventId, string Message)> Events { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Events.Add((logLevel, eventId.Id, formatter(state, exception)));
    }
}
