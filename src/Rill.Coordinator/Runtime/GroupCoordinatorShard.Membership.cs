using Rill.Common;
using Rill.Coordinator.Groups;
using Rill.Protocol.Messages;

namespace Rill.Coordinator.Runtime;

internal sealed partial class GroupCoordinatorShard
{
    /// <summary>Heartbeat: keeps the member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.</summary>
    public ValueTask<ErrorCode> HeartbeatAsync(HeartbeatRequest request)
    {
        if (!_groups.TryGetValue(request.GroupId, out var group))
        {
            return ValueTask.FromResult(ErrorCode.UnknownMemberId);
        }

        if (group.IsInState(ClassicGroupState.Dead))
        {
            return ValueTask.FromResult(ErrorCode.CoordinatorNotAvailable);
        }

        var error = group.ValidateMember(request.MemberId, request.GroupInstanceId);
        if (error == ErrorCode.None && request.GenerationId != group.GenerationId)
        {
            error = ErrorCode.IllegalGeneration;
        }

        if (error != ErrorCode.None)
        {
            return ValueTask.FromResult(error);
        }

        switch (group.State)
        {
            case ClassicGroupState.PreparingRebalance:
                RescheduleHeartbeat(group, group.Member(request.MemberId));
                return ValueTask.FromResult(ErrorCode.RebalanceInProgress);
            case ClassicGroupState.CompletingRebalance or ClassicGroupState.Stable:
                // Members may heartbeat between their JoinGroup and SyncGroup answers: a normal heartbeat.
                RescheduleHeartbeat(group, group.Member(request.MemberId));
                return ValueTask.FromResult(ErrorCode.None);
            default:
                return ValueTask.FromResult(ErrorCode.UnknownMemberId);
        }
    }

    /// <summary>
    /// LeaveGroup with Kafka's v3+ shape (v0-2 arrive as one member). Each member gets its own code; a leave from
    /// a Stable or CompletingRebalance group starts a rebalance.
    /// </summary>
    public async ValueTask<LeaveGroupResponse> LeaveGroupAsync(string groupId, IReadOnlyList<LeaveGroupRequest.MemberIdentity> leaving)
    {
        var response = new LeaveGroupResponse();
        if (!_groups.TryGetValue(groupId, out var group))
        {
            foreach (var identity in leaving)
            {
                response.Members.Add(LeaveResult(identity, ErrorCode.UnknownMemberId));
            }

            return response;
        }

        if (group.IsInState(ClassicGroupState.Dead))
        {
            response.ErrorCode = (short)ErrorCode.CoordinatorNotAvailable;
            return response;
        }

        var anyLeft = false;
        foreach (var identity in leaving)
        {
            var reason = string.IsNullOrEmpty(identity.Reason) ? "LeaveGroup" : "LeaveGroup: " + identity.Reason;
            var error = ErrorCode.None;
            if (identity.MemberId.Length == 0)
            {
                // An administrator may remove a static member by its instance id alone.
                if (identity.GroupInstanceId is { } instanceId && group.StaticMemberId(instanceId) is { } staticMemberId)
                {
                    RemoveLeavingMember(group, staticMemberId, reason);
                }
                else
                {
                    error = ErrorCode.UnknownMemberId;
                }
            }
            else if (group.IsPendingMember(identity.MemberId))
            {
                group.Remove(identity.MemberId);
                _timer.Cancel(TimerKey.Heartbeat(group.GroupId, identity.MemberId));
                GroupLog.MemberLeft(_logger, group.GroupId, identity.MemberId, reason);
            }
            else
            {
                error = group.ValidateMember(identity.MemberId, identity.GroupInstanceId);
                if (error == ErrorCode.None)
                {
                    RemoveLeavingMember(group, identity.MemberId, reason);
                }
            }

            anyLeft |= error == ErrorCode.None;
            response.Members.Add(LeaveResult(identity, error));
        }

        if (anyLeft)
        {
            switch (group.State)
            {
                case ClassicGroupState.Stable or ClassicGroupState.CompletingRebalance:
                    await MaybePrepareRebalanceOrCompleteJoinAsync(group, "members left the group");
                    break;
                case ClassicGroupState.PreparingRebalance:
                    await MaybeCompleteJoinPhaseAsync(group);
                    break;
            }
        }

        return response;
    }

    private static LeaveGroupResponse.MemberResponse LeaveResult(LeaveGroupRequest.MemberIdentity identity, ErrorCode error) => new()
    {
        MemberId = identity.MemberId,
        GroupInstanceId = identity.GroupInstanceId,
        ErrorCode = (short)error,
    };

    private void RemoveLeavingMember(ClassicGroup group, string memberId, string reason)
    {
        GroupLog.MemberLeft(_logger, group.GroupId, memberId, reason);
        RemoveMember(group, group.Member(memberId), ErrorCode.UnknownMemberId);
    }

    /// <summary>
    /// Removes a member: its waiting JoinGroup/SyncGroup (if any) answer <paramref name="error"/> so that a client that
    /// is still there rejoins, and its session timer stops.
    /// </summary>
    private void RemoveMember(ClassicGroup group, ClassicGroupMember member, ErrorCode error)
    {
        group.CompleteJoin(member, JoinError(string.Empty, error));
        ClassicGroup.CompleteSync(member, SyncError(error));
        _timer.Cancel(TimerKey.Heartbeat(group.GroupId, member.MemberId));
        group.Remove(member.MemberId);
    }

    private void RescheduleHeartbeat(ClassicGroup group, ClassicGroupMember member) =>
        RescheduleHeartbeat(group, member, member.SessionTimeoutMs);

    private void RescheduleHeartbeat(ClassicGroup group, ClassicGroupMember member, long timeoutMs)
    {
        var groupId = group.GroupId;
        var memberId = member.MemberId;
        _timer.Schedule(TimerKey.Heartbeat(groupId, memberId), timeoutMs, () => ExpireHeartbeatAsync(groupId, memberId));
    }

    /// <summary>
    /// A member's session (or a new member's join timeout, or a pending member's wait) ran out. Members waiting on a
    /// join or sync are kept: the rebalance deadlines deal with them.
    /// </summary>
    private async ValueTask ExpireHeartbeatAsync(string groupId, string memberId)
    {
        if (!_groups.TryGetValue(groupId, out var group) || group.IsInState(ClassicGroupState.Dead))
        {
            return;
        }

        if (group.IsPendingMember(memberId))
        {
            GroupLog.PendingMemberExpired(_logger, groupId, memberId);
            group.Remove(memberId);
            if (group.IsInState(ClassicGroupState.PreparingRebalance) && group.HasAllMembersJoined)
            {
                await CompleteJoinAsync(group);
            }

            return;
        }

        if (!group.TryGetMember(memberId, out var member) || member.HasSatisfiedHeartbeat)
        {
            return;
        }

        GroupLog.MemberSessionExpired(_logger, groupId, memberId, member.SessionTimeoutMs);
        RemoveMember(group, member, ErrorCode.UnknownMemberId);
        if (group.State is ClassicGroupState.Stable or ClassicGroupState.CompletingRebalance)
        {
            await MaybePrepareRebalanceOrCompleteJoinAsync(group, $"member {memberId} was removed on session timeout");
        }
        else if (group.IsInState(ClassicGroupState.PreparingRebalance) && group.HasAllMembersJoined)
        {
            await CompleteJoinAsync(group);
        }
    }
}
