using Microsoft.Extensions.Logging;
using Rill.Config;

namespace Rill.Server.Tests.Configuration;

public sealed class DescribeAndPrintTests
{
    [Fact]
    public void Describe_ListsEveryBrokerKeyWithSourceAndType()
    {
        var entries = ConfigLoad.WithOverrides("num.partitions=3").Describe(DynamicBrokerConfig.Empty);

        Assert.Equal(BrokerConfigs.All.Select(definition => definition.Name), entries.Select(entry => entry.Name));
        var partitions = entries.Single(entry => entry.Name == "num.partitions");
        Assert.Equal("3", partitions.Value);
        Assert.Equal(ConfigSource.StaticBrokerConfig, partitions.Source);
        Assert.False(partitions.IsDefault);
        Assert.True(partitions.ReadOnly);
        Assert.Equal(ConfigType.Int, partitions.Type);
        Assert.Equal(
            [
                new ConfigSynonymEntry("num.partitions", "3", ConfigSource.StaticBrokerConfig),
                new ConfigSynonymEntry("num.partitions", "1", ConfigSource.DefaultConfig),
            ],
            partitions.Synonyms);
        var autoCreate = entries.Single(entry => entry.Name == "auto.create.topics.enable");
        Assert.Equal("true", autoCreate.Value);
        Assert.Equal(ConfigSource.DefaultConfig, autoCreate.Source);
        Assert.True(autoCreate.IsDefault);
    }

    [Fact]
    public void Describe_KeyWithoutDefaultAndUnset_HasNullValueAndNoSynonyms()
    {
        var entry = ConfigLoad.WithOverrides().Describe(DynamicBrokerConfig.Empty).Single(entry => entry.Name == "log.retention.ms");

        Assert.Null(entry.Value);
        Assert.Equal(ConfigSource.DefaultConfig, entry.Source);
        Assert.Empty(entry.Synonyms);
    }

    [Fact]
    public void Describe_BrokerKeyInARetentionChain_ListsTheLowerKeys()
    {
        var entry = ConfigLoad.WithOverrides("log.retention.minutes=30").Describe(DynamicBrokerConfig.Empty).Single(entry => entry.Name == "log.retention.minutes");

        Assert.Equal(
            [
                new ConfigSynonymEntry("log.retention.minutes", "30", ConfigSource.StaticBrokerConfig),
                new ConfigSynonymEntry("log.retention.hours", "168", ConfigSource.DefaultConfig),
            ],
            entry.Synonyms);
    }

    [Fact]
    public void Describe_Password_IsMaskedAndSensitive()
    {
        var entry = ConfigLoad.WithOverrides("ssl.keystore.password=s3cret").Describe(DynamicBrokerConfig.Empty).Single(entry => entry.Name == "ssl.keystore.password");

        Assert.Null(entry.Value);
        Assert.True(entry.IsSensitive);
        Assert.Equal(ConfigType.Password, entry.Type);
        Assert.Equal(ConfigSource.StaticBrokerConfig, entry.Source);
        Assert.Equal([new ConfigSynonymEntry("ssl.keystore.password", null, ConfigSource.StaticBrokerConfig)], entry.Synonyms);
    }

    [Fact]
    public void Render_ModifiedFirstWithOriginThenDefaults_SecretsMasked()
    {
        var environment = new Dictionary<string, string> { ["RILL_NODE_ID"] = "4" };
        var config = ServerConfig.Load(null, environment, ["num.partitions=3", "ssl.key.password=hunter2"]);

        var text = ConfigPrinter.Render(config, includeDefaults: true);

        var lines = text.Split('\n');
        Assert.Equal("Configuration (no properties file):", lines[0]);
        Assert.Equal("  MODIFIED:", lines[1]);
        Assert.Matches(@"^    node\.id +=  ?4  \(environment RILL_NODE_ID\)$", lines[2]);
        Assert.Matches(@"^    num\.partitions +=  ?3  \(--override\)$", lines[3]);
        Assert.Matches(@"^    ssl\.key\.password += \[hidden\]  \(--override\)$", lines[4]);
        Assert.Equal("  DEFAULTS:", lines[5]);
        Assert.Contains(lines, line => line.StartsWith("    admin.listener ", StringComparison.Ordinal) && line.EndsWith("= 127.0.0.1:9644", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("    log.retention.ms ", StringComparison.Ordinal) && line.EndsWith("= (not set)", StringComparison.Ordinal));
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.Equal(BrokerConfigs.All.Count + 3, lines.Length);
    }

    [Fact]
    public void Log_WarnsOncePerIgnoredKeyThenPrintsAtInformation()
    {
        var config = ConfigLoad.WithOverrides("num.io.threads=16");
        var logger = new RecordingLogger(LogLevel.Debug);

        config.LogEffectiveConfiguration(logger);

        Assert.Equal(
            [
                (LogLevel.Warning, 3901, "num.io.threads (--override) is accepted but has no effect in Rill."),
                (LogLevel.Information, 3900, ConfigPrinter.Render(config, includeDefaults: true)),
            ],
            logger.Events);
    }

    [Fact]
    public void Log_AtInformation_PrintsOnlyTheModifiedValues()
    {
        var config = ConfigLoad.WithOverrides("num.partitions=3");
        var logger = new RecordingLogger(LogLevel.Information);

        config.LogEffectiveConfiguration(logger);

        var (level, id, message) = Assert.Single(logger.Events);
        Assert.Equal((LogLevel.Information, 3900), (level, id));
        Assert.Equal(ConfigPrinter.Render(config, includeDefaults: false), message);
        Assert.Contains("num.partitions", message, StringComparison.Ordinal);
        Assert.DoesNotContain("DEFAULTS", message, StringComparison.Ordinal);
    }

    private sealed class RecordingLogger(LogLevel minimum) : ILogger
    {
        public List<(LogLevel Level, int EventId, string Message)> Events { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Events.Add((logLevel, eventId.Id, formatter(state, exception)));
    }
}
