namespace Rill.Config;

/// <summary>
/// A topic's configuration after overrides and broker defaults are applied
/// (<see cref="TopicConfigs.Resolve"/>): the DescribeConfigs rows and typed values.
/// </summary>
public sealed class EffectiveTopicConfig
{
    private readonly Dictionary<string, object> _values;

    internal EffectiveTopicConfig(Dictionary<string, object> values, IReadOnlyList<ConfigEntry> entries)
    {
        _values = values;
        Entries = entries;
    }

    /// <summary>One row per topic key, in <see cref="TopicConfigs.All"/> order.</summary>
    public IReadOnlyList<ConfigEntry> Entries { get; }

    public int SegmentBytes => (int)_values[TopicConfigs.SegmentBytesConfig];

    public long SegmentMs => (long)_values[TopicConfigs.SegmentMsConfig];

    public int SegmentIndexBytes => (int)_values[TopicConfigs.SegmentIndexBytesConfig];

    public long FlushMessages => (long)_values[TopicConfigs.FlushMessagesConfig];

    public long FlushMs => (long)_values[TopicConfigs.FlushMsConfig];

    public long RetentionBytes => (long)_values[TopicConfigs.RetentionBytesConfig];

    public long RetentionMs => (long)_values[TopicConfigs.RetentionMsConfig];

    public int MaxMessageBytes => (int)_values[TopicConfigs.MaxMessageBytesConfig];

    public int IndexIntervalBytes => (int)_values[TopicConfigs.IndexIntervalBytesConfig];

    /// <summary>"CreateTime" or "LogAppendTime".</summary>
    public string MessageTimestampType => (string)_values[TopicConfigs.MessageTimestampTypeConfig];

    public long MessageTimestampBeforeMaxMs => (long)_values[TopicConfigs.MessageTimestampBeforeMaxMsConfig];

    public long MessageTimestampAfterMaxMs => (long)_values[TopicConfigs.MessageTimestampAfterMaxMsConfig];

    public long FileDeleteDelayMs => (long)_values[TopicConfigs.FileDeleteDelayMsConfig];

    /// <summary>"delete", "compact" or both.</summary>
    public IReadOnlyList<string> CleanupPolicy => (IReadOnlyList<string>)_values[TopicConfigs.CleanupPolicyConfig];

    public bool DeleteByRetention => CleanupPolicy.Contains(TopicConfigs.CleanupPolicyDelete, StringComparer.Ordinal);

    public bool Compacted => CleanupPolicy.Contains(TopicConfigs.CleanupPolicyCompact, StringComparer.Ordinal);

    public long DeleteRetentionMs => (long)_values[TopicConfigs.DeleteRetentionMsConfig];

    public long MinCompactionLagMs => (long)_values[TopicConfigs.MinCompactionLagMsConfig];

    public long MaxCompactionLagMs => (long)_values[TopicConfigs.MaxCompactionLagMsConfig];

    public double MinCleanableDirtyRatio => (double)_values[TopicConfigs.MinCleanableDirtyRatioConfig];

    public int MinInSyncReplicas => (int)_values[TopicConfigs.MinInSyncReplicasConfig];

    public string CompressionType => (string)_values[TopicConfigs.CompressionTypeConfig];

    /// <summary>Whether the controller may elect a replica outside the ISR when no ISR member is alive.</summary>
    public bool UncleanLeaderElectionEnable => (bool)_values[TopicConfigs.UncleanLeaderElectionEnableConfig];

    /// <summary>The DescribeConfigs row of <paramref name="name"/>.</summary>
    public ConfigEntry Get(string name)
    {
        foreach (var entry in Entries)
        {
            if (entry.Name == name)
            {
                return entry;
            }
        }

        throw new ArgumentException($"'{name}' is not a topic configuration.", nameof(name));
    }
}
