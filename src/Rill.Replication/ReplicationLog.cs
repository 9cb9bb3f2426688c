using Microsoft.Extensions.Logging;

namespace Rill.Replication;

/// <summary>Log messages of the replication layer; event ids 4000-4999.</summary>
internal static partial class ReplicationLog
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Partition {topic}-{partition} removed from this broker")]
    public static partial void PartitionRemoved(ILogger logger, string topic, int partition);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Log {topic}-{partition} belongs to no partition in the metadata; deleting it")]
    public static partial void StrayLogDeleted(ILogger logger, string topic, int partition);
}
