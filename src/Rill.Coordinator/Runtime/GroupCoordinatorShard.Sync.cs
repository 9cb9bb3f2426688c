using Microsoft.Extensions.Logging;
using Rill.Common;
using Rill.Coordinator.Groups;
using Rill.Protocol.Messages;

namespace Rill.Coordinator.Runtime;

internal sealed partial class GroupCoordinatorShard
{
    /// <summary>
    /// SyncGroup. The leader's assignment is persisted before anyone is answered; followers wait for it. Returns the
    /// task that completes with this member's response.
    /// </summary>
    public async ValueTask<Task<SyncGroupResponse>> SyncGroupAsync(SyncGroupRequest request)
    {
        var response = new TaskCompletionSource<SyncGroupResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_groups.TryGetValue(request.GroupId, out var group) || group.IsInState(ClassicGroupState.Empty))
        {
            response.SetResult(SyncError(ErrorCode.UnknownMemberId));
            return response.Task;
        }

        var error = ValidateSync(group, request);
        if (error != ErrorCode.None)
        {
            response.SetResult(SyncError(error));
            return response.Task;
        }

        var memberId = request.MemberId;
        switch (group.State)
        {
            case ClassicGroupState.PreparingRebalance:
                response.SetResult(SyncError(ErrorCode.RebalanceInProgress));
                break;
            case ClassicGroupState.CompletingRebalance:
            {
                var member = group.Member(memberId);
                // A repeated SyncGroup replaces the first; answer that one so that nothing waits forever.
                member.AwaitingSync?.TrySetResult(SyncError(ErrorCode.RebalanceInProgress));
                member.AwaitingSync = response;
                RemovePendingSyncMember(group, memberId);
                if (group.IsLeader(memberId))
                {
                    await StoreLeaderAssignmentAsync(group, request);
                }

                break;
            }

            case ClassicGroupState.Stable:
                RemovePendingSyncMember(group, memberId);
                response.SetResult(new SyncGroupResponse
                {
                    ProtocolType = group.ProtocolType,
                    ProtocolName = group.ProtocolName,
                    Assignment = group.Member(memberId).Assignment,
                });
                break;
            default:
                response.SetResult(SyncError(ErrorCode.CoordinatorNotAvailable));
                break;
        }

        return response.Task;
    }

    private static SyncGroupResponse SyncError(ErrorCode error) => new() { ErrorCode = (short)error };

    private static ErrorCode ValidateSync(ClassicGroup group, SyncGroupRequest request)
    {
        if (group.IsInState(ClassicGroupState.Dead))
        {
            return ErrorCode.CoordinatorNotAvailable;
        }

        var memberError = group.ValidateMember(request.MemberId, request.GroupInstanceId);
        if (memberError != ErrorCode.None)
        {
            return memberError;
        }

        if (request.GenerationId != group.GenerationId)
        {
            return ErrorCode.IllegalGeneration;
        }

        return IsInconsistent(request.ProtocolType, group.ProtocolType) || IsInconsistent(request.ProtocolName, group.ProtocolName)
            ? ErrorCode.InconsistentGroupProtocol
            : ErrorCode.None;
    }

    private static bool IsInconsistent(string? requested, string? current) => requested is not null && current is not null && requested != current;

    /// <summary>
    /// Persists the generation with the leader's assignment (members it left out get an empty one), then hands
    /// each member its part and makes the group Stable. A failed write answers everyone with the error and rebalances.
    /// </summary>
    private async ValueTask StoreLeaderAssignmentAsync(ClassicGroup group, SyncGroupRequest request)
    {
        GroupLog.AssignmentReceived(_logger, group.GroupId, request.MemberId, group.GenerationId);
        var assignment = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in request.Assignments)
        {
            assignment[entry.MemberId] = entry.Assignment;
        }

        foreach (var member in group.Members)
        {
            assignment.TryAdd(member.MemberId, []);
        }

        var error = await AppendAsync([GroupRecord(group, assignment)]);
        if (error != ErrorCode.None)
        {
            var mapped = GroupWriteError(error);
            GroupLog.GroupWriteFailed(_logger, group.GroupId, error, "the generation's assignment is not persisted; the group rebalances");
            ResetAndPropagateAssignmentWithError(group, mapped);
            await MaybePrepareRebalanceOrCompleteJoinAsync(group, $"the assignment could not be stored ({mapped})");
            return;
        }

        foreach (var member in group.Members)
        {
            member.Assignment = assignment[member.MemberId];
        }

        PropagateAssignment(group, ErrorCode.None);
        group.TransitionTo(ClassicGroupState.Stable, NowMs);
        GroupLog.RebalanceCompleted(_logger, group.GroupId, group.GenerationId, group.NumMembers, group.ProtocolName ?? string.Empty);
    }

    private void ResetAndPropagateAssignmentWithError(ClassicGroup group, ErrorCode error)
    {
        foreach (var member in group.Members)
        {
            member.Assignment = [];
        }

        PropagateAssignment(group, error);
    }

    /// <summary>Answers every waiting SyncGroup with the member's assignment (or the error) and restarts its session.</summary>
    private void PropagateAssignment(ClassicGroup group, ErrorCode error)
    {
        foreach (var member in group.Members)
        {
            var response = new SyncGroupResponse
            {
                ProtocolType = error == ErrorCode.None ? group.ProtocolType : null,
                ProtocolName = error == ErrorCode.None ? group.ProtocolName : null,
                Assignment = member.Assignment,
                ErrorCode = (short)error,
            };
            if (ClassicGroup.CompleteSync(member, response))
            {
                // A session that expired while the member waited was ignored; it starts again from here.
                RescheduleHeartbeat(group, member);
            }
        }
    }

    private void SchedulePendingSync(ClassicGroup group)
    {
        var groupId = group.GroupId;
        var generationId = group.GenerationId;
        _timer.Schedule(TimerKey.Sync(groupId), group.RebalanceTimeoutMs, () => ExpirePendingSyncAsync(groupId, generationId));
    }

    private void RemoveSyncExpiration(ClassicGroup group)
    {
        group.ClearPendingSyncMembers();
        _timer.Cancel(TimerKey.Sync(group.GroupId));
    }

    private void RemovePendingSyncMember(ClassicGroup group, string memberId)
    {
        group.RemovePendingSyncMember(memberId);
        var stillWaiting = group.State is ClassicGroupState.CompletingRebalance or ClassicGroupState.Stable
            && !group.HasReceivedSyncFromAllMembers;
        if (!stillWaiting)
        {
            _timer.Cancel(TimerKey.Sync(group.GroupId));
        }
    }

    /// <summary>Members that got their JoinGroup answer but sent no SyncGroup within the rebalance timeout are removed.</summary>
    private async ValueTask ExpirePendingSyncAsync(string groupId, int generationId)
    {
        if (!_groups.TryGetValue(groupId, out var group) || group.GenerationId != generationId
            || group.State is not (ClassicGroupState.CompletingRebalance or ClassicGroupState.Stable)
            || group.HasReceivedSyncFromAllMembers)
        {
            return;
        }

        var pending = group.PendingSyncMembers.ToList();
        foreach (var memberId in pending)
        {
            if (group.TryGetMember(memberId, out var member))
            {
                RemoveMember(group, member, ErrorCode.UnknownMemberId);
            }
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            var memberIds = string.Join(", ", pending);
            GroupLog.MembersNotSynced(_logger, groupId, memberIds);
        }

        await PrepareRebalanceAsync(group, "members did not send SyncGroup in time");
    }
}
