using Rill.Protocol.Records;
using Rill.Storage;

namespace Rill.Server.Configuration;

public static partial class TopicConfigs
{
    /// <summary>
    /// The storage layer's settings for a partition of a topic. A topic whose cleanup.policy lacks
    /// "delete" gets no time or size retention: Rill has no compaction yet, and deleting a compacted
    /// topic's old segments would lose the latest value of every key.
    /// </summary>
    public static LogConfig ToLogConfig(EffectiveTopicConfig topic)
    {
        var deletes = topic.DeleteByRetention;
        return new LogConfig
        {
            SegmentBytes = topic.SegmentBytes,
            SegmentMs = topic.SegmentMs,
            RetentionMs = deletes ? topic.RetentionMs : -1,
            RetentionBytes = deletes ? topic.RetentionBytes : -1,
            FlushMessages = topic.FlushMessages,
            FlushMs = topic.FlushMs,
            IndexIntervalBytes = topic.IndexIntervalBytes,
            SegmentIndexBytes = topic.SegmentIndexBytes,
            MessageTimestampType = topic.MessageTimestampType == "LogAppendTime" ? TimestampType.LogAppendTime : TimestampType.CreateTime,
            MaxMessageBytes = topic.MaxMessageBytes,
            MessageTimestampBeforeMaxMs = topic.MessageTimestampBeforeMaxMs,
            MessageTimestampAfterMaxMs = topic.MessageTimestampAfterMaxMs,
            FileDeleteDelayMs = topic.FileDeleteDelayMs,
        };
    }
}
