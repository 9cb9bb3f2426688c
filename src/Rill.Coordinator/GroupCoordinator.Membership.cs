using Rill.Common;
using Rill.Coordinator.Runtime;
using Rill.Protocol.Messages;

namespace Rill.Coordinator;

public sealed partial class GroupCoordinator
{
    /// <summary>
    /// JoinGroup at any version 0-9. v4+ new dynamic members first get MEMBER_ID_REQUIRED (79) with their id; the
    /// answer otherwise waits until the join phase completes (all known members rejoined, the rebalance timeout or
    /// the initial rebalance delay passed). Cancelling stops the wait, not the membership.
    /// </summary>
    public async ValueTask<JoinGroupResponse> JoinGroupAsync(GroupRequestContext context, JoinGroupRequest request, CancellationToken ct)
    {
        JoinGroupResponse response;
        if (!IsActive)
        {
            response = JoinFailure(request.MemberId, ErrorCode.CoordinatorNotAvailable);
        }
        else if (string.IsNullOrEmpty(request.GroupId))
        {
            response = JoinFailure(request.MemberId, ErrorCode.InvalidGroupId);
        }
        else if (request.SessionTimeoutMs < _config.GroupMinSessionTimeoutMs || request.SessionTimeoutMs > _config.GroupMaxSessionTimeoutMs)
        {
            response = JoinFailure(request.MemberId, ErrorCode.InvalidSessionTimeout);
        }
        else
        {
            var pending = await OnShardAsync("JoinGroup", request.GroupId, shard => shard.JoinGroupAsync(context, request),
                error => Task.FromResult(JoinFailure(string.Empty, error)));
            response = await pending.WaitAsync(ct);
        }

        return ForJoinVersion(response, context.ApiVersion);
    }

    /// <summary>
    /// SyncGroup at any version 0-5. The leader's assignment is persisted before anyone is answered; followers wait
    /// for it. v5 requires ProtocolType and ProtocolName (INCONSISTENT_GROUP_PROTOCOL otherwise, as Kafka).
    /// </summary>
    public async ValueTask<SyncGroupResponse> SyncGroupAsync(GroupRequestContext context, SyncGroupRequest request, CancellationToken ct)
    {
        if (!IsActive)
        {
            return SyncFailure(ErrorCode.CoordinatorNotAvailable);
        }

        if (string.IsNullOrEmpty(request.GroupId))
        {
            return SyncFailure(ErrorCode.InvalidGroupId);
        }

        if (context.ApiVersion >= 5 && (request.ProtocolType is null || request.ProtocolName is null))
        {
            return SyncFailure(ErrorCode.InconsistentGroupProtocol);
        }

        var pending = await OnShardAsync("SyncGroup", request.GroupId, shard => shard.SyncGroupAsync(request),
            error => Task.FromResult(SyncFailure(error)));
        return await pending.WaitAsync(ct);
    }

    /// <summary>
    /// Heartbeat at any version 0-4. While the group's partition loads, Kafka answers NONE ("blindly"), so that
    /// members are not pushed into a rebalance by a coordinator restart.
    /// </summary>
    public async ValueTask<HeartbeatResponse> HeartbeatAsync(GroupRequestContext context, HeartbeatRequest request, CancellationToken ct)
    {
        ErrorCode error;
        if (!IsActive)
        {
            error = ErrorCode.CoordinatorNotAvailable;
        }
        else if (string.IsNullOrEmpty(request.GroupId))
        {
            error = ErrorCode.InvalidGroupId;
        }
        else
        {
            error = await OnShardAsync("Heartbeat", request.GroupId, shard => shard.HeartbeatAsync(request), static code => code);
            if (error == ErrorCode.CoordinatorLoadInProgress)
            {
                error = ErrorCode.None;
            }
        }

        return new HeartbeatResponse { ErrorCode = (short)error };
    }

    /// <summary>
    /// LeaveGroup at any version 0-5: v0-2 leave with one member id and answer its code at the top level; v3+ leave
    /// in batches (also by group instance id alone) with a code per member.
    /// </summary>
    public async ValueTask<LeaveGroupResponse> LeaveGroupAsync(GroupRequestContext context, LeaveGroupRequest request, CancellationToken ct)
    {
        LeaveGroupResponse response;
        if (!IsActive)
        {
            response = new LeaveGroupResponse { ErrorCode = (short)ErrorCode.CoordinatorNotAvailable };
        }
        else if (string.IsNullOrEmpty(request.GroupId))
        {
            response = new LeaveGroupResponse { ErrorCode = (short)ErrorCode.InvalidGroupId };
        }
        else
        {
            var members = context.ApiVersion >= 3
                ? request.Members
                : [new LeaveGroupRequest.MemberIdentity { MemberId = request.MemberId }];
            response = await OnShardAsync("LeaveGroup", request.GroupId, shard => shard.LeaveGroupAsync(request.GroupId, members),
                static error => new LeaveGroupResponse { ErrorCode = (short)error });
        }

        if (context.ApiVersion < 3 && response.ErrorCode == 0 && response.Members.Count > 0)
        {
            response.ErrorCode = response.Members[0].ErrorCode;
        }

        return response;
    }

    private static JoinGroupResponse JoinFailure(string memberId, ErrorCode error) =>
        new() { MemberId = memberId, ErrorCode = (short)error, ProtocolName = null };

    private static SyncGroupResponse SyncFailure(ErrorCode error) => new() { ErrorCode = (short)error };

    /// <summary>Before v7 the protocol name is a non-null string ("" for none); from v7 it is null for none.</summary>
    private static JoinGroupResponse ForJoinVersion(JoinGroupResponse response, short version)
    {
        if (version < 7)
        {
            response.ProtocolName ??= string.Empty;
        }
        else if (response.ProtocolName is { Length: 0 })
        {
            response.ProtocolName = null;
        }

        return response;
    }
}
