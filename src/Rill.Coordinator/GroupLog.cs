using Microsoft.Extensions.Logging;
using Rill.Common;

namespace Rill.Coordinator;

/// <summary>
/// Every log line of the group coordinator; event ids 5000-5999. Group lifecycle an operator wants is Information;
/// per-request detail is Debug; nothing per heartbeat above Debug.
/// </summary>
internal static partial class GroupLog
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Information,
        Message = "Loaded __consumer_offsets-{Partition}: {GroupCount} groups, {OffsetCount} offsets from {RecordCount} records in {DurationMs} ms")]
    public static partial void PartitionLoaded(ILogger logger, int partition, int groupCount, int offsetCount, long recordCount, double durationMs);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Error, Message = "Loading __consumer_offsets-{Partition} failed; its groups stay unavailable")]
    public static partial void PartitionLoadFailed(ILogger logger, Exception exception, int partition);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Debug, Message = "Unloaded __consumer_offsets-{Partition} ({GroupCount} groups)")]
    public static partial void PartitionUnloaded(ILogger logger, int partition, int groupCount);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning,
        Message = "Skipped {RecordCount} records of __consumer_offsets-{Partition} this coordinator does not handle (other key versions or transactional batches)")]
    public static partial void RecordsSkipped(ILogger logger, int partition, int recordCount);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Information, Message = "Group {GroupId} created by {Api}")]
    public static partial void GroupCreated(ILogger logger, string groupId, string api);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Information,
        Message = "Preparing to rebalance group {GroupId} in state {State} with generation {Generation}: {Reason}")]
    public static partial void PreparingRebalance(ILogger logger, string groupId, Groups.ClassicGroupState state, int generation, string reason);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Information,
        Message = "Rebalance of group {GroupId} completed: generation {Generation}, {MemberCount} members, protocol {Protocol}")]
    public static partial void RebalanceCompleted(ILogger logger, string groupId, int generation, int memberCount, string protocol);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Information, Message = "Group {GroupId} is now empty (generation {Generation})")]
    public static partial void GroupEmptied(ILogger logger, string groupId, int generation);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Information, Message = "Group {GroupId} deleted with {OffsetCount} offsets: {Reason}")]
    public static partial void GroupDeleted(ILogger logger, string groupId, int offsetCount, string reason);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Information,
        Message = "Member {MemberId} of group {GroupId} removed: no heartbeat within its session timeout of {SessionTimeoutMs} ms")]
    public static partial void MemberSessionExpired(ILogger logger, string groupId, string memberId, int sessionTimeoutMs);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Information,
        Message = "Group {GroupId} removed members that did not rejoin within the rebalance timeout: {MemberIds}")]
    public static partial void MembersNotRejoined(ILogger logger, string groupId, string memberIds);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Information,
        Message = "Group {GroupId} removed members that did not send SyncGroup within the rebalance timeout: {MemberIds}")]
    public static partial void MembersNotSynced(ILogger logger, string groupId, string memberIds);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Information,
        Message = "Static member {GroupInstanceId} of group {GroupId} rejoined: member id {OldMemberId} replaced by {NewMemberId}")]
    public static partial void StaticMemberReplaced(ILogger logger, string groupId, string groupInstanceId, string oldMemberId, string newMemberId);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Warning, Message = "Writing the metadata of group {GroupId} failed with {Error} ({Action})")]
    public static partial void GroupWriteFailed(ILogger logger, string groupId, ErrorCode error, string action);

    [LoggerMessage(EventId = 5014, Level = LogLevel.Information,
        Message = "Expired {OffsetCount} offsets and deleted {GroupCount} empty groups of __consumer_offsets-{Partition}")]
    public static partial void OffsetsExpired(ILogger logger, int partition, int offsetCount, int groupCount);

    [LoggerMessage(EventId = 5015, Level = LogLevel.Warning,
        Message = "Group {GroupId}: no member rejoined before the rebalance timeout; waiting for their sessions to expire")]
    public static partial void NoMemberRejoined(ILogger logger, string groupId);

    [LoggerMessage(EventId = 5016, Level = LogLevel.Error, Message = "Appending to __consumer_offsets-{Partition} failed unexpectedly")]
    public static partial void AppendFailed(ILogger logger, Exception exception, int partition);

    [LoggerMessage(EventId = 5017, Level = LogLevel.Error, Message = "{Api} for group {GroupId} failed unexpectedly")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string api, string groupId);

    [LoggerMessage(EventId = 5018, Level = LogLevel.Debug,
        Message = "Member {MemberId} joins group {GroupId} in state {State} (client {ClientId}, {ClientHost})")]
    public static partial void MemberJoining(ILogger logger, string groupId, string memberId, Groups.ClassicGroupState state, string clientId, string clientHost);

    [LoggerMessage(EventId = 5019, Level = LogLevel.Debug, Message = "Member {MemberId} left group {GroupId}: {Reason}")]
    public static partial void MemberLeft(ILogger logger, string groupId, string memberId, string reason);

    [LoggerMessage(EventId = 5020, Level = LogLevel.Debug,
        Message = "Leader {MemberId} sent the assignment of group {GroupId} for generation {Generation}")]
    public static partial void AssignmentReceived(ILogger logger, string groupId, string memberId, int generation);

    [LoggerMessage(EventId = 5021, Level = LogLevel.Debug, Message = "Group {GroupId} committed {Count} offsets (member {MemberId}, generation {Generation})")]
    public static partial void OffsetsCommitted(ILogger logger, string groupId, int count, string memberId, int generation);

    [LoggerMessage(EventId = 5022, Level = LogLevel.Debug, Message = "Pending member {MemberId} of group {GroupId} did not rejoin in time and was removed")]
    public static partial void PendingMemberExpired(ILogger logger, string groupId, string memberId);

    [LoggerMessage(EventId = 5023, Level = LogLevel.Debug, Message = "Offset cleanup of __consumer_offsets-{Partition} found nothing to remove")]
    public static partial void NothingExpired(ILogger logger, int partition);

    [LoggerMessage(EventId = 5024, Level = LogLevel.Error,
        Message = "The {Kind} timer of group {GroupId} on __consumer_offsets-{Partition} failed unexpectedly")]
    public static partial void TimerFailed(ILogger logger, Exception exception, Runtime.TimerKind kind, string groupId, int partition);
}
