using Microsoft.Extensions.Logging;

namespace Rill.Metadata;

/// <summary>Log messages of the metadata layer; event ids 3000-3999.</summary>
internal static partial class MetadataLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Warning,
        Message = "Old metadata log {path}: {bytes} bytes from position {position} not read because {reason}")]
    public static partial void TruncatedTail(ILogger logger, string path, long position, long bytes, string reason);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Metadata snapshot loaded: {records} records up to offset {offset}, {topics} topics")]
    public static partial void SnapshotLoaded(ILogger logger, int records, long offset, int topics);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Topic {topic} created with id {topicId} and {partitions} partitions")]
    public static partial void TopicCreated(ILogger logger, string topic, Rill.Common.Uuid topicId, int partitions);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Topic {topic} deleted")]
    public static partial void TopicDeleted(ILogger logger, string topic);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Topic {topic} now has {partitions} partitions")]
    public static partial void PartitionsCreated(ILogger logger, string topic, int partitions);
}
