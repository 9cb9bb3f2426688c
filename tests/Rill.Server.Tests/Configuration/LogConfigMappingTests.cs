using Rill.Config;
using Rill.Protocol.Records;
using Rill.Storage;

namespace Rill.Server.Tests.Configuration;

public sealed class LogConfigMappingTests
{
    private static readonly Dictionary<string, string> NoOverrides = [];

    [Fact]
    public void ToLogConfig_Defaults_AreKafkas()
    {
        var config = TopicConfigs.ToLogConfig(TopicConfigs.Resolve(ConfigLoad.WithOverrides(), DynamicBrokerConfig.Empty, NoOverrides));

        Assert.Equal(
            new LogConfig
            {
                SegmentBytes = 1073741824,
                SegmentMs = 604800000,
                RetentionMs = 604800000,
                RetentionBytes = -1,
                FlushMessages = long.MaxValue,
                FlushMs = long.MaxValue,
                IndexIntervalBytes = 4096,
                SegmentIndexBytes = 10485760,
                MessageTimestampType = TimestampType.CreateTime,
                MaxMessageBytes = 1048588,
                MessageTimestampBeforeMaxMs = long.MaxValue,
                MessageTimestampAfterMaxMs = 3600000,
                FileDeleteDelayMs = 60000,
            },
            config);
        config.Validate();
    }

    [Fact]
    public void ToLogConfig_EveryFieldFollowsItsTopicKey()
    {
        var overrides = new Dictionary<string, string>
        {
            ["segment.bytes"] = "2097152",
            ["segment.ms"] = "1000",
            ["retention.ms"] = "2000",
            ["retention.bytes"] = "3000",
            ["flush.messages"] = "4",
            ["flush.ms"] = "5000",
            ["index.interval.bytes"] = "6",
            ["segment.index.bytes"] = "7000",
            ["message.timestamp.type"] = "LogAppendTime",
            ["max.message.bytes"] = "8000",
            ["message.timestamp.before.max.ms"] = "9000",
            ["message.timestamp.after.max.ms"] = "10000",
            ["file.delete.delay.ms"] = "11000",
        };

        var config = TopicConfigs.ToLogConfig(TopicConfigs.Resolve(ConfigLoad.WithOverrides(), DynamicBrokerConfig.Empty, overrides));

        Assert.Equal(
            new LogConfig
            {
                SegmentBytes = 2097152,
                SegmentMs = 1000,
                RetentionMs = 2000,
                RetentionBytes = 3000,
                FlushMessages = 4,
                FlushMs = 5000,
                IndexIntervalBytes = 6,
                SegmentIndexBytes = 7000,
                MessageTimestampType = TimestampType.LogAppendTime,
                MaxMessageBytes = 8000,
                MessageTimestampBeforeMaxMs = 9000,
                MessageTimestampAfterMaxMs = 10000,
                FileDeleteDelayMs = 11000,
            },
            config);
    }

    [Fact]
    public void ToLogConfig_BrokerSynonyms_FlowThrough()
    {
        var broker = ConfigLoad.WithOverrides("log.retention.hours=1", "log.roll.hours=2", "message.max.bytes=500000", "log.segment.delete.delay.ms=0");

        var config = TopicConfigs.ToLogConfig(TopicConfigs.Resolve(broker, DynamicBrokerConfig.Empty, NoOverrides));

        Assert.Equal(3600000, config.RetentionMs);
        Assert.Equal(7200000, config.SegmentMs);
        Assert.Equal(500000, config.MaxMessageBytes);
        Assert.Equal(0, config.FileDeleteDelayMs);
    }

    [Theory]
    [InlineData("compact", CleanupPolicy.Compact)]
    [InlineData("compact,delete", CleanupPolicy.Compact | CleanupPolicy.Delete)]
    [InlineData("delete", CleanupPolicy.Delete)]
    public void ToLogConfig_CarriesThePolicyAndRetentionIndependently(string policy, CleanupPolicy expected)
    {
        var overrides = new Dictionary<string, string>
        {
            ["cleanup.policy"] = policy,
            ["retention.ms"] = "5000",
            ["retention.bytes"] = "6000",
            ["delete.retention.ms"] = "7000",
            ["min.compaction.lag.ms"] = "8000",
            ["max.compaction.lag.ms"] = "9000",
            ["min.cleanable.dirty.ratio"] = "0.25",
        };

        var config = TopicConfigs.ToLogConfig(TopicConfigs.Resolve(ConfigLoad.WithOverrides(), DynamicBrokerConfig.Empty, overrides));

        Assert.Equal(expected, config.CleanupPolicy);
        Assert.Equal(5000, config.RetentionMs);
        Assert.Equal(6000, config.RetentionBytes);
        Assert.Equal(7000, config.DeleteRetentionMs);
        Assert.Equal(8000, config.MinCompactionLagMs);
        Assert.Equal(9000, config.MaxCompactionLagMs);
        Assert.Equal(0.25, config.MinCleanableDirtyRatio);
    }
}
