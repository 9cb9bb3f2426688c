using Rill.Protocol.Records;
using Rill.Storage;

namespace Rill.Config;

public static partial class TopicConfigs
{
    /// <summary>
    /// The storage layer's settings for a partition of a topic. Retention and compaction are independent:
    /// storage applies retention only when the policy has "delete", compaction only when it has "compact".
    /// </summary>
    public static LogConfig ToLogConfig(EffectiveTopicConfig topic)
    {
        return new LogConfig
        {
            SegmentBytes = topic.SegmentBytes,
            SegmentMs = topic.SegmentMs,
            RetentionMs = topic.RetentionMs,
            RetentionBytes = topic.RetentionBytes,
            CleanupPolicy = (topic.DeleteByRetention ? CleanupPolicy.Delete : CleanupPolicy.None)
                | (topic.Compacted ? CleanupPolicy.Compact : CleanupPolicy.None),
            DeleteRetentionMs = topic.DeleteRetentionMs,
            MinCompactionLagMs = topic.MinCompactionLagMs,
            MaxCompactionLagMs = topic.MaxCompactionLagMs,
            MinCleanableDirtyRatio = topic.MinCleanableDirtyRatio,
            FlushMessages = topic.FlushMessages,
            FlushMs = topic.FlushMs,
            IndexIntervalBytes = topic.IndexIntervalBytes,
            SegmentIndexBytes = topic.SegmentIndexBytes,
            MessageTimestampType = topic.MessageTimestampType == "LogAppendTime" ? TimestampType.LogAppendTime : TimestampType.CreateTime,
            MaxMessageBytes = topic.MaxMessageBytes,
            MessageTimestampBeforeMaxMs = topic.MessageTimestampBeforeMaxMs,
            MessageTimestampAfterMaxMs = topic.MessageTimestampAfterMaxMs,
            FileDeleteDelayMs = topic.FileDeleteDelayMs,
            MinInSyncReplicas = topic.MinInSyncReplicas,
        };
    }
}
