using Microsoft.Extensions.Logging;
using Rill.Common;

namespace Rill.Raft;

/// <summary>Log messages of the Raft client; event ids 6000-6099 (the rest of 6000-6999 is left for the quorum's storage).</summary>
internal static partial class RaftLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Information,
        Message = "Raft node {nodeId} is {state} in epoch {epoch} (leader {leaderId}), was {previous}")]
    public static partial void Transitioned(ILogger logger, int nodeId, string state, int epoch, int leaderId, string previous);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information,
        Message = "Raft node {nodeId} leads epoch {epoch} from offset {offset}, elected by {voters}")]
    public static partial void Elected(ILogger logger, int nodeId, int epoch, long offset, IEnumerable<int> voters);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Metadata high watermark known: {offset} in epoch {epoch}")]
    public static partial void HighWatermarkKnown(ILogger logger, long offset, int epoch);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Information,
        Message = "Metadata log truncated from {fromOffset} to {offset}: the leader's log diverges after epoch {epoch} ending at {divergingOffset}")]
    public static partial void Truncated(ILogger logger, long fromOffset, long offset, int epoch, long divergingOffset);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Information,
        Message = "Downloading metadata snapshot at offset {offset} (epoch {epoch}) from leader {leaderId}: this log is behind the leader's log start")]
    public static partial void SnapshotDownloadStarted(ILogger logger, long offset, int epoch, int leaderId);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Information,
        Message = "Downloaded metadata snapshot at offset {offset} (epoch {epoch}), {bytes} bytes; the log starts over from it")]
    public static partial void SnapshotDownloaded(ILogger logger, long offset, int epoch, long bytes);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Error,
        Message = "Node {nodeId} belongs to another cluster than {clusterId}: check that every node was formatted with the same cluster id")]
    public static partial void InconsistentClusterId(ILogger logger, int nodeId, string clusterId);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Error,
        Message = "Node {nodeId} disagrees on the quorum's voters ({voters} here): controller.quorum.voters must be the same on every node")]
    public static partial void InconsistentVoterSet(ILogger logger, int nodeId, IEnumerable<int> voters);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Warning, Message = "Node {nodeId} answered a Raft request with {errorCode}")]
    public static partial void UnexpectedError(ILogger logger, int nodeId, ErrorCode errorCode);

    [LoggerMessage(EventId = 6009, Level = LogLevel.Information, Message = "Resigned as leader of epoch {epoch}; preferred successors {successors}")]
    public static partial void Resigned(ILogger logger, int epoch, IEnumerable<int> successors);

    [LoggerMessage(EventId = 6010, Level = LogLevel.Information, Message = "Raft node {nodeId} shut down as {state}")]
    public static partial void ShutdownComplete(ILogger logger, int nodeId, object state);

    [LoggerMessage(EventId = 6011, Level = LogLevel.Warning,
        Message = "Leader of epoch {epoch} had no fetch from a majority of voters for {timeoutMs} ms; resigning")]
    public static partial void CheckQuorumExpired(ILogger logger, int epoch, int timeoutMs);

    [LoggerMessage(EventId = 6012, Level = LogLevel.Information, Message = "Metadata snapshot at offset {offset} (epoch {epoch}) written, {bytes} bytes")]
    public static partial void SnapshotCreated(ILogger logger, long offset, int epoch, long bytes);

    [LoggerMessage(EventId = 6013, Level = LogLevel.Debug, Message = "{kind} of candidate {candidateId} for epoch {epoch}: granted {granted}, now {state}")]
    public static partial void VoteAnswered(ILogger logger, string kind, int candidateId, int epoch, bool granted, object state);

    [LoggerMessage(EventId = 6014, Level = LogLevel.Error,
        Message = "A replica with this node's own id {nodeId} fetched the metadata log: two nodes share node.id")]
    public static partial void FetchFromOwnId(ILogger logger, int nodeId);

    [LoggerMessage(EventId = 6015, Level = LogLevel.Critical, Message = "Raft node {nodeId} failed; the metadata quorum stops on this node")]
    public static partial void DriverFailed(ILogger logger, int nodeId, Exception exception);

    [LoggerMessage(EventId = 6016, Level = LogLevel.Warning,
        Message = "The quorum state's epoch {epoch} is behind the log's last epoch {logEpoch}; starting unattached in the log's epoch")]
    public static partial void QuorumStateBehindLog(ILogger logger, int epoch, int logEpoch);

    [LoggerMessage(EventId = 6017, Level = LogLevel.Information,
        Message = "Election for epoch {epoch} lost (rejected by {voters}); standing again in {backoffMs} ms")]
    public static partial void ElectionLost(ILogger logger, int epoch, IEnumerable<int> voters, long backoffMs);

    [LoggerMessage(EventId = 6018, Level = LogLevel.Information, Message = "No fetch from leader {leaderId} of epoch {epoch} within the fetch timeout; asking for a pre-vote")]
    public static partial void FetchTimedOut(ILogger logger, int leaderId, int epoch);

    [LoggerMessage(EventId = 6019, Level = LogLevel.Warning, Message = "Node {leaderId} is named leader of epoch {epoch} but is not among the voters {voters}")]
    public static partial void LeaderNotAVoter(ILogger logger, int leaderId, int epoch, IEnumerable<int> voters);

    [LoggerMessage(EventId = 6020, Level = LogLevel.Error, Message = "A peer names this node {nodeId} leader of epoch {epoch}, but it is {state}")]
    public static partial void InconsistentLeader(ILogger logger, int nodeId, int epoch, object state);

    [LoggerMessage(EventId = 6021, Level = LogLevel.Warning, Message = "Could not deliver a {response} to the caller")]
    public static partial void RespondFailed(ILogger logger, string response, Exception exception);

    [LoggerMessage(EventId = 6022, Level = LogLevel.Error, Message = "Node {nodeId} sent an invalid snapshot id (offset {offset}, epoch {epoch})")]
    public static partial void InvalidSnapshotId(ILogger logger, int nodeId, long offset, int epoch);

    [LoggerMessage(EventId = 6023, Level = LogLevel.Information,
        Message = "Download of metadata snapshot at offset {offset} (epoch {epoch}) abandoned ({errorCode}); fetching again")]
    public static partial void SnapshotDownloadAbandoned(ILogger logger, long offset, int epoch, ErrorCode errorCode);

    [LoggerMessage(EventId = 6024, Level = LogLevel.Error,
        Message = "Downloaded metadata snapshot at offset {offset} (epoch {epoch}) ends in {bytes} bytes of a torn batch; downloading again")]
    public static partial void SnapshotTornTail(ILogger logger, long offset, int epoch, int bytes);

    [LoggerMessage(EventId = 6025, Level = LogLevel.Information,
        Message = "Loaded metadata snapshot at offset {offset} (epoch {epoch}) into {listeners} listeners")]
    public static partial void SnapshotLoaded(ILogger logger, long offset, int epoch, int listeners);

    [LoggerMessage(EventId = 6026, Level = LogLevel.Debug, Message = "Raft driver of node {nodeId} started")]
    public static partial void DriverStarted(ILogger logger, int nodeId);
}
