namespace Rill.Config;

public static partial class TopicConfigs
{
    private static Dictionary<string, ConfigDefinition> Build()
    {
        var t = new Dictionary<string, ConfigDefinition>(StringComparer.Ordinal);

        Applied(t, SegmentBytesConfig, ConfigType.Int, "1073741824", ConfigValidator.AtLeast(1048576),
            "Close the active segment and start a new one at this size.",
            ConfigSynonym.Same(BrokerConfigs.LogSegmentBytesConfig));
        Applied(t, SegmentMsConfig, ConfigType.Long, "604800000", ConfigValidator.AtLeast(1),
            "Start a new segment when the active one is this old, even if not full.",
            ConfigSynonym.Same(BrokerConfigs.LogRollMsConfig),
            new ConfigSynonym(BrokerConfigs.LogRollHoursConfig, ConfigSynonym.HoursToMs));
        Applied(t, SegmentIndexBytesConfig, ConfigType.Int, "10485760", ConfigValidator.AtLeast(4),
            "Largest offset index per segment; a full index also starts a new segment.",
            ConfigSynonym.Same(BrokerConfigs.LogIndexSizeMaxBytesConfig));
        Applied(t, FlushMessagesConfig, ConfigType.Long, BrokerConfigs.LongMaxText, ConfigValidator.AtLeast(1),
            "fsync after this many messages; the default leaves flushing to the OS.",
            ConfigSynonym.Same(BrokerConfigs.LogFlushIntervalMessagesConfig));
        Applied(t, FlushMsConfig, ConfigType.Long, BrokerConfigs.LongMaxText, ConfigValidator.AtLeast(0),
            "fsync when the oldest unflushed message is this old; the default leaves flushing to the OS.",
            ConfigSynonym.Same(BrokerConfigs.LogFlushIntervalMsConfig),
            ConfigSynonym.Same(BrokerConfigs.LogFlushSchedulerIntervalMsConfig));
        Applied(t, RetentionBytesConfig, ConfigType.Long, "-1", null,
            "Delete the oldest segments while a partition is larger than this; -1 = no size limit.",
            ConfigSynonym.Same(BrokerConfigs.LogRetentionBytesConfig));
        Applied(t, RetentionMsConfig, ConfigType.Long, "604800000", ConfigValidator.AtLeast(-1),
            "Delete a segment once its newest record is this old; -1 = keep forever.",
            ConfigSynonym.Same(BrokerConfigs.LogRetentionMsConfig),
            new ConfigSynonym(BrokerConfigs.LogRetentionMinutesConfig, ConfigSynonym.MinutesToMs),
            new ConfigSynonym(BrokerConfigs.LogRetentionHoursConfig, ConfigSynonym.HoursToMs));
        Applied(t, MaxMessageBytesConfig, ConfigType.Int, "1048588", ConfigValidator.AtLeast(0),
            "Largest record batch this topic accepts, after compression.",
            ConfigSynonym.Same(BrokerConfigs.MessageMaxBytesConfig));
        Applied(t, IndexIntervalBytesConfig, ConfigType.Int, "4096", ConfigValidator.AtLeast(0),
            "Bytes of log between two offset index entries.",
            ConfigSynonym.Same(BrokerConfigs.LogIndexIntervalBytesConfig));
        Applied(t, MessageTimestampTypeConfig, ConfigType.String, "CreateTime", ConfigValidator.OneOf("CreateTime", "LogAppendTime"),
            "CreateTime keeps the producer's timestamps; LogAppendTime stamps the broker's append time.",
            ConfigSynonym.Same(BrokerConfigs.LogMessageTimestampTypeConfig));
        Applied(t, MessageTimestampBeforeMaxMsConfig, ConfigType.Long, BrokerConfigs.LongMaxText, ConfigValidator.AtLeast(0),
            "With CreateTime, refuse batches whose timestamp is further than this behind the broker's clock.",
            ConfigSynonym.Same(BrokerConfigs.LogMessageTimestampBeforeMaxMsConfig));
        Applied(t, MessageTimestampAfterMaxMsConfig, ConfigType.Long, "3600000", ConfigValidator.AtLeast(0),
            "With CreateTime, refuse batches whose timestamp is further than this ahead of the broker's clock.",
            ConfigSynonym.Same(BrokerConfigs.LogMessageTimestampAfterMaxMsConfig));
        Applied(t, FileDeleteDelayMsConfig, ConfigType.Long, "60000", ConfigValidator.AtLeast(0),
            "Keep a deleted segment's files this long so reads in flight finish.",
            ConfigSynonym.Same(BrokerConfigs.LogSegmentDeleteDelayMsConfig));
        Applied(t, CleanupPolicyConfig, ConfigType.List, "delete", ConfigValidator.NonEmptyListOf(CleanupPolicyDelete, CleanupPolicyCompact),
            "delete removes old segments by retention; compact keeps the latest record per key (Rill: compact-only topics are never deleted by retention).",
            ConfigSynonym.Same(BrokerConfigs.LogCleanupPolicyConfig));
        Applied(t, MinInSyncReplicasConfig, ConfigType.Int, "1", ConfigValidator.AtLeast(1),
            "In-sync replicas an acks=all write needs, else NOT_ENOUGH_REPLICAS.",
            ConfigSynonym.Same(BrokerConfigs.MinInSyncReplicasConfig));
        Ignored(t, CompressionTypeConfig, ConfigType.String, "producer", BrokerConfigs.CompressionTypes(),
            "Codec to store batches in; Rill keeps the producer's codec.",
            ConfigSynonym.Same(BrokerConfigs.CompressionTypeConfig));
        Ignored(t, SegmentJitterMsConfig, ConfigType.Long, "0", ConfigValidator.AtLeast(0),
            "Random time taken off segment.ms so segments do not all roll at once.",
            ConfigSynonym.Same(BrokerConfigs.LogRollJitterMsConfig),
            new ConfigSynonym(BrokerConfigs.LogRollJitterHoursConfig, ConfigSynonym.HoursToMs));
        Applied(t, DeleteRetentionMsConfig, ConfigType.Long, "86400000", ConfigValidator.AtLeast(0),
            "How long compaction keeps delete markers.",
            ConfigSynonym.Same(BrokerConfigs.LogCleanerDeleteRetentionMsConfig));
        Applied(t, MinCompactionLagMsConfig, ConfigType.Long, "0", ConfigValidator.AtLeast(0),
            "Youngest a record may be and still be compacted.",
            ConfigSynonym.Same(BrokerConfigs.LogCleanerMinCompactionLagMsConfig));
        Applied(t, MaxCompactionLagMsConfig, ConfigType.Long, BrokerConfigs.LongMaxText, ConfigValidator.AtLeast(1),
            "Oldest a record may get before it must be compacted.",
            ConfigSynonym.Same(BrokerConfigs.LogCleanerMaxCompactionLagMsConfig));
        Applied(t, MinCleanableDirtyRatioConfig, ConfigType.Double, "0.5", ConfigValidator.Between(0, 1),
            "Share of uncompacted log that triggers compaction.",
            new ConfigSynonym(BrokerConfigs.LogCleanerMinCleanableRatioConfig, 1));
        Ignored(t, PreallocateConfig, ConfigType.Boolean, "false", null,
            "Allocate a segment's full size on disk when it is created.",
            ConfigSynonym.Same(BrokerConfigs.LogPreallocateConfig));
        Applied(t, UncleanLeaderElectionEnableConfig, ConfigType.Boolean, "false", null,
            "Allow an out-of-sync replica to become leader when no in-sync replica is alive, losing data.",
            ConfigSynonym.Same(BrokerConfigs.UncleanLeaderElectionEnableConfig));

        return t;
    }

    private static void Applied(Dictionary<string, ConfigDefinition> table, string name, ConfigType type, string defaultText, ConfigValidator? validator, string doc, params ConfigSynonym[] synonyms) =>
        table.Add(name, new ConfigDefinition(name, type, defaultText, validator, doc, ConfigScope.Topic, isDynamic: true, hasEffect: true, synonyms));

    private static void Ignored(Dictionary<string, ConfigDefinition> table, string name, ConfigType type, string defaultText, ConfigValidator? validator, string doc, params ConfigSynonym[] synonyms) =>
        table.Add(name, new ConfigDefinition(name, type, defaultText, validator, doc, ConfigScope.Topic, isDynamic: true, hasEffect: false, synonyms));
}
