using Microsoft.Extensions.Logging;
using Rill.Common;

namespace Rill.Replication;

/// <summary>Log messages of the replication layer; event ids 4000-4999.</summary>
internal static partial class ReplicationLog
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Partition {topic}-{partition} removed from this broker")]
    public static partial void PartitionRemoved(ILogger logger, string topic, int partition);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Log {topic}-{partition} belongs to no partition in the metadata; deleting it")]
    public static partial void StrayLogDeleted(ILogger logger, string topic, int partition);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information,
        Message = "Leader {topic}-{partition} starts at leader epoch {leaderEpoch} from offset {offset} with high watermark {highWatermark}, ISR [{isr}]")]
    public static partial void BecameLeader(ILogger logger, string topic, int partition, int leaderEpoch, long offset, long highWatermark, string isr);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information,
        Message = "Follower {topic}-{partition} starts at leader epoch {leaderEpoch} from offset {offset} with high watermark {highWatermark}; the leader is {leader}")]
    public static partial void BecameFollower(ILogger logger, string topic, int partition, int leaderEpoch, int leader, long offset, long highWatermark);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information,
        Message = "Shrinking ISR of {topic}-{partition} from [{from}] to [{to}]. Leader: (highWatermark: {highWatermark}, endOffset: {endOffset}). Out of sync replicas: {outOfSync}")]
    public static partial void ShrinkingIsr(ILogger logger, string topic, int partition, string from, string to, long highWatermark, long endOffset, string outOfSync);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "Expanding ISR of {topic}-{partition} from [{from}] to [{to}]: replica {replica} caught up")]
    public static partial void ExpandingIsr(ILogger logger, string topic, int partition, string from, string to, int replica);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Information, Message = "ISR of {topic}-{partition} updated to [{isr}] and partition epoch to {partitionEpoch}")]
    public static partial void IsrUpdated(ILogger logger, string topic, int partition, string isr, int partitionEpoch);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "ISR change of {topic}-{partition} failed ({reason}); trying again")]
    public static partial void AlterPartitionFailed(ILogger logger, string topic, int partition, string reason);

    [LoggerMessage(EventId = 4020, Level = LogLevel.Warning, Message = "ISR change of {topic}-{partition} answered {error}; trying again")]
    public static partial void AlterPartitionRetried(ILogger logger, string topic, int partition, ErrorCode error);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Information, Message = "ISR change of {topic}-{partition} refused by the controller with {error}; waiting for the metadata")]
    public static partial void AlterPartitionRefused(ILogger logger, string topic, int partition, ErrorCode error);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Warning, Message = "Fetching from leader {leader} failed: {reason}; backing off")]
    public static partial void FetchFailed(ILogger logger, LeaderEndpoint leader, string reason);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Error, Message = "Leader {leader} cannot be followed: {reason}")]
    public static partial void LeaderTooOld(ILogger logger, LeaderEndpoint leader, string reason);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Error, Message = "The replica fetcher for leader {leader} failed unexpectedly; it backs off and goes on")]
    public static partial void FetcherFailed(ILogger logger, Exception exception, LeaderEndpoint leader);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Debug, Message = "Leader {leader} answered {error} for {topic}-{partition}; fetching it again after a backoff")]
    public static partial void PartitionFetchError(ILogger logger, string topic, int partition, LeaderEndpoint leader, ErrorCode error);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Warning, Message = "Stopped fetching {topic}-{partition} from leader {leader} until the metadata changes: {reason}")]
    public static partial void PartitionFetchStopped(ILogger logger, string topic, int partition, LeaderEndpoint leader, string reason);

    [LoggerMessage(EventId = 4014, Level = LogLevel.Information,
        Message = "Truncating {topic}-{partition} to offset {offset}: the leader's epoch {epoch} ends at {endOffset} (our log end offset {logEndOffset})")]
    public static partial void TruncatingOnDivergence(ILogger logger, string topic, int partition, long offset, int epoch, long endOffset, long logEndOffset);

    [LoggerMessage(EventId = 4015, Level = LogLevel.Warning, Message = "Truncating {topic}-{partition} from log end offset {logEndOffset} to the leader's log end offset {leaderEndOffset}")]
    public static partial void ResetToLeaderEnd(ILogger logger, string topic, int partition, long logEndOffset, long leaderEndOffset);

    [LoggerMessage(EventId = 4016, Level = LogLevel.Warning,
        Message = "Emptying {topic}-{partition} to continue at the leader's log start offset {leaderStartOffset}: our log ends at {logEndOffset}, before it")]
    public static partial void ResetToLeaderStart(ILogger logger, string topic, int partition, long logEndOffset, long leaderStartOffset);

    [LoggerMessage(EventId = 4017, Level = LogLevel.Error, Message = "Invalid records fetched for {topic}-{partition} at offset {offset}: {reason}; fetching again")]
    public static partial void InvalidRecordsFetched(ILogger logger, string topic, int partition, long offset, string reason);

    [LoggerMessage(EventId = 4018, Level = LogLevel.Information, Message = "Replica fetcher for leader {leader} started")]
    public static partial void FetcherStarted(ILogger logger, LeaderEndpoint leader);

    [LoggerMessage(EventId = 4019, Level = LogLevel.Information, Message = "Replica fetcher for leader {leader} stopped: it has no partitions left")]
    public static partial void FetcherStopped(ILogger logger, LeaderEndpoint leader);

    [LoggerMessage(EventId = 4021, Level = LogLevel.Warning, Message = "Could not write the high watermark checkpoint of {logDir}: {reason}; the previous one stays")]
    public static partial void HighWatermarkCheckpointFailed(ILogger logger, string logDir, string reason);

    [LoggerMessage(EventId = 4022, Level = LogLevel.Warning, Message = "The high watermark checkpoint of {logDir} cannot be read ({reason}); its partitions' high watermarks start at their log start offsets")]
    public static partial void HighWatermarkCheckpointUnreadable(ILogger logger, string logDir, string reason);
}
