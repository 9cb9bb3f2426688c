using Microsoft.Extensions.Logging;

namespace Rill.Server.Quorum;

/// <summary>Log messages of the node's side of the metadata quorum; event ids 7000-7099.</summary>
internal static partial class QuorumLog
{
    [LoggerMessage(EventId = 7000, Level = LogLevel.Debug, Message = "{api} to {endpoint} failed: {reason}")]
    public static partial void RequestFailed(ILogger logger, Rill.Protocol.Messages.ApiKey api, string endpoint, string reason);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Metadata quorum: leader {leaderId} in epoch {epoch}")]
    public static partial void LeaderChanged(ILogger logger, int leaderId, int epoch);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Node {nodeId} is the active controller of epoch {epoch}")]
    public static partial void ControllerActivated(ILogger logger, int nodeId, int epoch);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "Node {nodeId} is no longer the active controller (epoch {epoch})")]
    public static partial void ControllerDeactivated(ILogger logger, int nodeId, int epoch);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning,
        Message = "Moved {batches} batches of the single-node metadata log {path} onto the quorum; the old file is kept as {kept}")]
    public static partial void LegacyLogMigrated(ILogger logger, int batches, string path, string kept);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Warning, Message = "Forwarding {api} to the active controller failed, trying again: {reason}")]
    public static partial void ForwardRetry(ILogger logger, Rill.Protocol.Messages.ApiKey api, string reason);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Debug, Message = "Forwarding {api} to the active controller failed again, trying again: {reason}")]
    public static partial void ForwardRetryAgain(ILogger logger, Rill.Protocol.Messages.ApiKey api, string reason);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Error, Message = "The metadata loader failed to apply a committed batch")]
    public static partial void ApplyFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Information, Message = "Waiting for the metadata quorum ({voters}) to elect a leader and for this node to catch up")]
    public static partial void WaitingForQuorum(ILogger logger, string voters);

    [LoggerMessage(EventId = 7008, Level = LogLevel.Information, Message = "Wrote a metadata snapshot at offset {offset} (epoch {epoch}) with {records} records")]
    public static partial void SnapshotWritten(ILogger logger, long offset, int epoch, int records);

    [LoggerMessage(EventId = 7009, Level = LogLevel.Warning, Message = "Could not write the metadata snapshot at offset {offset} (epoch {epoch}); the log keeps every record")]
    public static partial void SnapshotFailed(ILogger logger, long offset, int epoch, Exception exception);
}
