using Rill.Config;

namespace Rill.Server.Tests.Configuration;

public sealed class TopicConfigsTests
{
    private static readonly Dictionary<string, string> NoOverrides = [];

    [Fact]
    public void Validate_KnownKeysWithGoodValues_Passes()
    {
        TopicConfigs.Validate(new Dictionary<string, string?>
        {
            ["retention.ms"] = "-1",
            ["cleanup.policy"] = "compact,delete",
            ["segment.bytes"] = "1048576",
            ["message.timestamp.type"] = "LogAppendTime",
            ["min.cleanable.dirty.ratio"] = "0.1",
            ["compression.type"] = "zstd",
            ["max.message.bytes"] = null,
        });
    }

    [Fact]
    public void Validate_UnknownKey_FailsWithInvalidConfigNamingIt()
    {
        var error = Assert.Throws<ConfigException>(() =>
            TopicConfigs.Validate(new Dictionary<string, string?> { ["retention.ms"] = "1000", ["retention.hours"] = "1" }));

        Assert.Equal("retention.hours", error.Key);
        Assert.Equal(Rill.Common.ErrorCode.InvalidConfig, error.ErrorCode);
        Assert.Equal("Unknown topic configuration key 'retention.hours'.", error.Message);
    }

    [Fact]
    public void Validate_BrokerOnlyKey_IsUnknownForATopic()
    {
        var error = Assert.Throws<ConfigException>(() =>
            TopicConfigs.Validate(new Dictionary<string, string?> { ["log.retention.ms"] = "1000" }));

        Assert.Equal("Unknown topic configuration key 'log.retention.ms'.", error.Message);
    }

    public static TheoryData<string, string, string> BadValues => new()
    {
        { "segment.bytes", "1024", "must be at least 1048576" },
        { "segment.ms", "0", "must be at least 1" },
        { "segment.index.bytes", "2", "must be at least 4" },
        { "flush.messages", "0", "must be at least 1" },
        { "flush.ms", "-1", "must be at least 0" },
        { "retention.bytes", "lots", "must be a whole number between -9223372036854775808 and 9223372036854775807" },
        { "retention.ms", "-2", "must be at least -1" },
        { "max.message.bytes", "-5", "must be at least 0" },
        { "index.interval.bytes", "-1", "must be at least 0" },
        { "message.timestamp.type", "AppendTime", "must be one of CreateTime, LogAppendTime" },
        { "cleanup.policy", "", "must list at least one of delete, compact" },
        { "cleanup.policy", "compact,compact", "'compact' is listed twice" },
        { "min.insync.replicas", "0", "must be at least 1" },
        { "compression.type", "none", "must be one of uncompressed, zstd, lz4, snappy, gzip, producer" },
        { "min.cleanable.dirty.ratio", "-0.1", "must be between 0 and 1" },
        { "preallocate", "maybe", "must be true or false" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void Validate_BadValue_FailsNamingKeyValueAndReason(string key, string value, string reason)
    {
        var error = Assert.Throws<ConfigException>(() => TopicConfigs.Validate(new Dictionary<string, string?> { [key] = value }));

        Assert.Equal(key, error.Key);
        Assert.Equal($"Invalid value '{value}' for topic configuration '{key}': {reason}.", error.Message);
    }

    [Fact]
    public void Resolve_NothingSet_EveryKeyIsDefaultWithBrokerDefaultsAsSynonyms()
    {
        var topic = TopicConfigs.Resolve(ConfigLoad.WithOverrides(), DynamicBrokerConfig.Empty, NoOverrides);

        Assert.Equal(TopicConfigs.All.Select(definition => definition.Name), topic.Entries.Select(entry => entry.Name));
        Assert.All(topic.Entries, entry =>
        {
            Assert.Equal(ConfigSource.DefaultConfig, entry.Source);
            Assert.True(entry.IsDefault);
            Assert.False(entry.ReadOnly);
        });
        Assert.Equal(
            new ConfigEntry(
                "retention.ms",
                "604800000",
                ConfigSource.DefaultConfig,
                IsDefault: true,
                ReadOnly: false,
                IsSensitive: false,
                ConfigType.Long,
                TopicConfigs.All.Single(definition => definition.Name == "retention.ms").Documentation,
                topic.Get("retention.ms").Synonyms),
            topic.Get("retention.ms"));
        Assert.Equal([new ConfigSynonymEntry("log.retention.hours", "168", ConfigSource.DefaultConfig)], topic.Get("retention.ms").Synonyms);
    }

    [Fact]
    public void Resolve_OnlyLogRetentionHoursSet_RetentionMsComesFromIt()
    {
        var broker = ConfigLoad.WithOverrides("log.retention.hours=24");

        var topic = TopicConfigs.Resolve(broker, DynamicBrokerConfig.Empty, NoOverrides);

        Assert.Equal(86400000L, topic.RetentionMs);
        var entry = topic.Get("retention.ms");
        Assert.Equal("86400000", entry.Value);
        Assert.Equal(ConfigSource.StaticBrokerConfig, entry.Source);
        Assert.False(entry.IsDefault);
        Assert.Equal(
            [
                new ConfigSynonymEntry("log.retention.hours", "24", ConfigSource.StaticBrokerConfig),
                new ConfigSynonymEntry("log.retention.hours", "168", ConfigSource.DefaultConfig),
            ],
            entry.Synonyms);
    }

    [Fact]
    public void Resolve_RetentionKeys_FollowKafkasPrecedenceMsThenMinutesThenHours()
    {
        var broker = ConfigLoad.WithOverrides("log.retention.hours=1", "log.retention.minutes=2");

        Assert.Equal(120000L, TopicConfigs.Resolve(broker, DynamicBrokerConfig.Empty, NoOverrides).RetentionMs);

        var withMs = ConfigLoad.WithOverrides("log.retention.hours=1", "log.retention.minutes=2", "log.retention.ms=5000");
        var entry = TopicConfigs.Resolve(withMs, DynamicBrokerConfig.Empty, NoOverrides).Get("retention.ms");

        Assert.Equal("5000", entry.Value);
        Assert.Equal(
            [
                new ConfigSynonymEntry("log.retention.ms", "5000", ConfigSource.StaticBrokerConfig),
                new ConfigSynonymEntry("log.retention.minutes", "2", ConfigSource.StaticBrokerConfig),
                new ConfigSynonymEntry("log.retention.hours", "1", ConfigSource.StaticBrokerConfig),
                new ConfigSynonymEntry("log.retention.hours", "168", ConfigSource.DefaultConfig),
            ],
            entry.Synonyms);
    }

    [Fact]
    public void Resolve_NegativeRetentionHours_MeansForever()
    {
        Assert.Equal(-1L, TopicConfigs.Resolve(ConfigLoad.WithOverrides("log.retention.hours=-1"), DynamicBrokerConfig.Empty, NoOverrides).RetentionMs);
    }

    [Fact]
    public void Resolve_LogRollHours_BecomesSegmentMs()
    {
        var topic = TopicConfigs.Resolve(ConfigLoad.WithOverrides("log.roll.hours=2"), DynamicBrokerConfig.Empty, NoOverrides);

        Assert.Equal(7200000L, topic.SegmentMs);
        Assert.Equal(ConfigSource.StaticBrokerConfig, topic.Get("segment.ms").Source);
    }

    [Fact]
    public void Resolve_FlushMs_FallsBackToTheFlushSchedulerInterval()
    {
        var topic = TopicConfigs.Resolve(ConfigLoad.WithOverrides("log.flush.scheduler.interval.ms=3000"), DynamicBrokerConfig.Empty, NoOverrides);

        Assert.Equal(3000L, topic.FlushMs);
        Assert.Equal(
            [
                new ConfigSynonymEntry("log.flush.scheduler.interval.ms", "3000", ConfigSource.StaticBrokerConfig),
                new ConfigSynonymEntry("log.flush.scheduler.interval.ms", "9223372036854775807", ConfigSource.DefaultConfig),
            ],
            topic.Get("flush.ms").Synonyms);
    }

    [Theory]
    [InlineData("log.segment.bytes=2097152", "segment.bytes", "2097152")]
    [InlineData("message.max.bytes=2000000", "max.message.bytes", "2000000")]
    [InlineData("log.message.timestamp.type=LogAppendTime", "message.timestamp.type", "LogAppendTime")]
    [InlineData("log.flush.interval.messages=10", "flush.messages", "10")]
    [InlineData("log.flush.interval.ms=1000", "flush.ms", "1000")]
    [InlineData("log.index.interval.bytes=8192", "index.interval.bytes", "8192")]
    [InlineData("log.index.size.max.bytes=1024", "segment.index.bytes", "1024")]
    [InlineData("log.cleanup.policy=compact", "cleanup.policy", "compact")]
    [InlineData("min.insync.replicas=2", "min.insync.replicas", "2")]
    [InlineData("compression.type=lz4", "compression.type", "lz4")]
    [InlineData("log.retention.bytes=1000000", "retention.bytes", "1000000")]
    [InlineData("log.roll.ms=60000", "segment.ms", "60000")]
    public void Resolve_BrokerSynonymSet_IsTheTopicDefault(string brokerOverride, string topicKey, string expected)
    {
        var entry = TopicConfigs.Resolve(ConfigLoad.WithOverrides(brokerOverride), DynamicBrokerConfig.Empty, NoOverrides).Get(topicKey);

        Assert.Equal(expected, entry.Value);
        Assert.Equal(ConfigSource.StaticBrokerConfig, entry.Source);
    }

    [Fact]
    public void Resolve_TopicOverride_WinsAndIsListedFirst()
    {
        var broker = ConfigLoad.WithOverrides("log.segment.bytes=2097152");

        var topic = TopicConfigs.Resolve(broker, DynamicBrokerConfig.Empty, new Dictionary<string, string> { ["segment.bytes"] = "4194304" });

        Assert.Equal(4194304, topic.SegmentBytes);
        var entry = topic.Get("segment.bytes");
        Assert.Equal(ConfigSource.DynamicTopicConfig, entry.Source);
        Assert.False(entry.IsDefault);
        Assert.Equal(
            [
                new ConfigSynonymEntry("segment.bytes", "4194304", ConfigSource.DynamicTopicConfig),
                new ConfigSynonymEntry("log.segment.bytes", "2097152", ConfigSource.StaticBrokerConfig),
                new ConfigSynonymEntry("log.segment.bytes", "1073741824", ConfigSource.DefaultConfig),
            ],
            entry.Synonyms);
    }

    [Fact]
    public void Resolve_BadOverride_FailsLikeValidate()
    {
        var error = Assert.Throws<ConfigException>(() =>
            TopicConfigs.Resolve(ConfigLoad.WithOverrides(), DynamicBrokerConfig.Empty, new Dictionary<string, string> { ["retention.ms"] = "soon" }));

        Assert.Equal(
            "Invalid value 'soon' for topic configuration 'retention.ms': must be a whole number between -9223372036854775808 and 9223372036854775807.",
            error.Message);
    }

    [Fact]
    public void Resolve_UnknownOverride_Fails()
    {
        var error = Assert.Throws<ConfigException>(() =>
            TopicConfigs.Resolve(ConfigLoad.WithOverrides(), DynamicBrokerConfig.Empty, new Dictionary<string, string> { ["segment.size"] = "1" }));

        Assert.Equal("Unknown topic configuration key 'segment.size'.", error.Message);
    }

    [Fact]
    public void Resolve_CompactOnlyTopic_IsNotDeletedByRetention()
    {
        var topic = TopicConfigs.Resolve(ConfigLoad.WithOverrides(), DynamicBrokerConfig.Empty, new Dictionary<string, string> { ["cleanup.policy"] = "compact" });

        Assert.False(topic.DeleteByRetention);
        Assert.True(TopicConfigs.Resolve(ConfigLoad.WithOverrides(), DynamicBrokerConfig.Empty, NoOverrides).DeleteByRetention);
    }

    [Fact]
    public void Definitions_EveryTopicKey_IsDynamicWithDocumentation()
    {
        Assert.All(TopicConfigs.All, definition =>
        {
            Assert.True(definition.IsDynamic);
            Assert.Equal(ConfigScope.Topic, definition.Scope);
            Assert.False(string.IsNullOrWhiteSpace(definition.Documentation));
            Assert.NotEmpty(definition.Synonyms);
        });
    }
}
