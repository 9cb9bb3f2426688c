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

    // 3100-3199: broker lifecycle and partition leadership at the active controller.
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Broker {brokerId} registered with epoch {brokerEpoch}, incarnation {incarnationId}")]
    public static partial void BrokerRegistered(ILogger logger, int brokerId, long brokerEpoch, Rill.Common.Uuid incarnationId);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning,
        Message = "Broker {brokerId} incarnation {incarnationId} refused: incarnation {registeredIncarnationId} with that id holds a live session (two nodes with one node.id, or a restart before the old session expired)")]
    public static partial void DuplicateRegistration(ILogger logger, int brokerId, Rill.Common.Uuid incarnationId, Rill.Common.Uuid registeredIncarnationId);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Broker {brokerId} unfenced: it reached metadata offset {offset}")]
    public static partial void BrokerUnfenced(ILogger logger, int brokerId, long offset);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Broker {brokerId} fenced: {reason}")]
    public static partial void BrokerFenced(ILogger logger, int brokerId, string reason);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "Broker {brokerId} entered controlled shutdown; moving its leaderships")]
    public static partial void BrokerShuttingDown(ILogger logger, int brokerId);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning,
        Message = "Broker {brokerId} fenced: no heartbeat within broker.session.timeout.ms ({sessionTimeoutMs} ms); its leaderships move")]
    public static partial void SessionExpired(ILogger logger, int brokerId, int sessionTimeoutMs);
}
