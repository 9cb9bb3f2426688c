using Microsoft.Extensions.Logging;
using Rill.Common;
using Rill.Coordinator.Groups;
using Rill.Coordinator.Records;
using Rill.Protocol.Messages;

namespace Rill.Coordinator.Runtime;

internal sealed partial class GroupCoordinatorShard
{
    /// <summary>
    /// JoinGroup, after the service-level checks (group id, session timeout). Returns the task that completes with
    /// the member's response: at once for errors and MEMBER_ID_REQUIRED, when the join phase completes otherwise.
    /// </summary>
    public async ValueTask<Task<JoinGroupResponse>> JoinGroupAsync(GroupRequestContext context, JoinGroupRequest request)
    {
        var response = NewJoinCompletion();
        var memberId = request.MemberId;
        var isUnknownMember = memberId.Length == 0;
        if (!_groups.TryGetValue(request.GroupId, out var group))
        {
            if (!isUnknownMember)
            {
                response.SetResult(JoinError(memberId, ErrorCode.UnknownMemberId));
                return response.Task;
            }

            // Kafka persists a new group before anything else, so that it exists after a restart too.
            var created = new ClassicGroup(request.GroupId, NowMs);
            var error = await AppendAsync([GroupRecord(created, EmptyAssignment)]);
            if (error != ErrorCode.None)
            {
                response.SetResult(JoinError(string.Empty, GroupWriteError(error)));
                return response.Task;
            }

            _groups.Add(request.GroupId, created);
            GroupLog.GroupCreated(_logger, request.GroupId, "JoinGroup");
            group = created;
        }

        if (!AcceptJoiningMember(group, memberId))
        {
            group.Remove(memberId);
            response.SetResult(JoinError(string.Empty, ErrorCode.GroupMaxSizeReached));
        }
        else if (isUnknownMember)
        {
            await JoinNewMemberAsync(context, request, group, response);
        }
        else
        {
            await JoinExistingMemberAsync(context, request, group, response);
        }

        return response.Task;
    }

    private static TaskCompletionSource<JoinGroupResponse> NewJoinCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static JoinGroupResponse JoinError(string memberId, ErrorCode error) =>
        new() { MemberId = memberId, ErrorCode = (short)error, ProtocolName = null };

    /// <summary>Version 0 has no rebalance timeout: Kafka uses the session timeout.</summary>
    private static int RebalanceTimeoutOf(GroupRequestContext context, JoinGroupRequest request) =>
        context.ApiVersion == 0 ? request.SessionTimeoutMs : request.RebalanceTimeoutMs;

    /// <summary>The member's protocols in preference order; a repeated name keeps its first metadata.</summary>
    private static List<MemberProtocol> ProtocolsOf(JoinGroupRequest request)
    {
        var protocols = new List<MemberProtocol>(request.Protocols.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var protocol in request.Protocols)
        {
            if (names.Add(protocol.Name))
            {
                protocols.Add(new MemberProtocol(protocol.Name, protocol.Metadata));
            }
        }

        return protocols;
    }

    /// <summary>group.max.size: while rebalancing the members awaiting a join count, otherwise the members.</summary>
    private bool AcceptJoiningMember(ClassicGroup group, string memberId) => group.State switch
    {
        ClassicGroupState.Empty or ClassicGroupState.Dead => true,
        ClassicGroupState.PreparingRebalance =>
            (group.TryGetMember(memberId, out var member) && member.IsAwaitingJoin) || group.NumAwaitingJoinResponse < _config.GroupMaxSize,
        _ => group.HasMember(memberId) || group.NumMembers < _config.GroupMaxSize,
    };

    private async ValueTask JoinNewMemberAsync(GroupRequestContext context, JoinGroupRequest request, ClassicGroup group,
        TaskCompletionSource<JoinGroupResponse> response)
    {
        var protocols = ProtocolsOf(request);
        if (group.IsInState(ClassicGroupState.Dead))
        {
            response.SetResult(JoinError(string.Empty, ErrorCode.CoordinatorNotAvailable));
            return;
        }

        if (!group.SupportsProtocols(request.ProtocolType, protocols))
        {
            response.SetResult(JoinError(string.Empty, ErrorCode.InconsistentGroupProtocol));
            return;
        }

        var newMemberId = ClassicGroup.GenerateMemberId(context.ClientId, request.GroupInstanceId);
        GroupLog.MemberJoining(_logger, group.GroupId, newMemberId, group.State, context.ClientId, context.ClientHost);
        if (request.GroupInstanceId is { } instanceId)
        {
            if (group.StaticMemberId(instanceId) is { } existingMemberId)
            {
                await UpdateStaticMemberAsync(context, request, protocols, group, existingMemberId, newMemberId, response);
            }
            else
            {
                await AddMemberThenRebalanceOrCompleteJoinAsync(context, request, protocols, group, newMemberId, response);
            }
        }
        else if (context.ApiVersion >= 4)
        {
            // KIP-394: the member gets its id first and must come back with it; until then it is pending, and
            // forgotten after its session timeout.
            group.AddPendingMember(newMemberId);
            _timer.Schedule(TimerKey.Heartbeat(group.GroupId, newMemberId), request.SessionTimeoutMs,
                () => ExpireHeartbeatAsync(group.GroupId, newMemberId));
            response.SetResult(new JoinGroupResponse { MemberId = newMemberId, ErrorCode = (short)ErrorCode.MemberIdRequired, ProtocolName = null });
        }
        else
        {
            await AddMemberThenRebalanceOrCompleteJoinAsync(context, request, protocols, group, newMemberId, response);
        }
    }

    private async ValueTask JoinExistingMemberAsync(GroupRequestContext context, JoinGroupRequest request, ClassicGroup group,
        TaskCompletionSource<JoinGroupResponse> response)
    {
        var memberId = request.MemberId;
        var protocols = ProtocolsOf(request);
        if (group.IsInState(ClassicGroupState.Dead))
        {
            response.SetResult(JoinError(memberId, ErrorCode.CoordinatorNotAvailable));
            return;
        }

        if (!group.SupportsProtocols(request.ProtocolType, protocols))
        {
            response.SetResult(JoinError(memberId, ErrorCode.InconsistentGroupProtocol));
            return;
        }

        if (group.IsPendingMember(memberId))
        {
            // Pending members are dynamic by construction; Kafka treats an instance id here as a broken invariant.
            if (request.GroupInstanceId is not null)
            {
                response.SetResult(JoinError(memberId, ErrorCode.UnknownServerError));
                return;
            }

            GroupLog.MemberJoining(_logger, group.GroupId, memberId, group.State, context.ClientId, context.ClientHost);
            await AddMemberThenRebalanceOrCompleteJoinAsync(context, request, protocols, group, memberId, response);
            return;
        }

        var memberError = group.ValidateMember(memberId, request.GroupInstanceId);
        if (memberError != ErrorCode.None)
        {
            response.SetResult(JoinError(memberId, memberError));
            return;
        }

        var member = group.Member(memberId);
        switch (group.State)
        {
            case ClassicGroupState.PreparingRebalance:
                await UpdateMemberThenRebalanceOrCompleteJoinAsync(context, request, protocols, group, member, response,
                    $"member {memberId} rejoined during the rebalance");
                break;
            case ClassicGroupState.CompletingRebalance when member.Matches(protocols):
                // The member missed the join response: give it the current generation again.
                response.SetResult(CurrentGenerationResponse(group, memberId, withMembers: group.IsLeader(memberId)));
                break;
            case ClassicGroupState.CompletingRebalance:
                await UpdateMemberThenRebalanceOrCompleteJoinAsync(context, request, protocols, group, member, response,
                    $"member {memberId} changed its metadata during CompletingRebalance");
                break;
            case ClassicGroupState.Stable when group.IsLeader(memberId):
                // A leader's JoinGroup is how it asks for a rebalance (e.g. topic metadata changed).
                await UpdateMemberThenRebalanceOrCompleteJoinAsync(context, request, protocols, group, member, response,
                    $"leader {memberId} rejoined");
                break;
            case ClassicGroupState.Stable when !member.Matches(protocols):
                await UpdateMemberThenRebalanceOrCompleteJoinAsync(context, request, protocols, group, member, response,
                    $"member {memberId} changed its metadata");
                break;
            case ClassicGroupState.Stable:
                response.SetResult(CurrentGenerationResponse(group, memberId, withMembers: false));
                break;
            default:
                // An existing member of an Empty group cannot be: let it reset and join afresh.
                response.SetResult(JoinError(memberId, ErrorCode.UnknownMemberId));
                break;
        }
    }

    private static JoinGroupResponse CurrentGenerationResponse(ClassicGroup group, string memberId, bool withMembers) => new()
    {
        Members = withMembers ? group.CurrentMembersForJoin() : [],
        MemberId = memberId,
        GenerationId = group.GenerationId,
        ProtocolName = group.ProtocolName,
        ProtocolType = group.ProtocolType,
        Leader = group.LeaderId ?? string.Empty,
        SkipAssignment = false,
    };

    private ValueTask UpdateMemberThenRebalanceOrCompleteJoinAsync(GroupRequestContext context, JoinGroupRequest request,
        List<MemberProtocol> protocols, ClassicGroup group, ClassicGroupMember member, TaskCompletionSource<JoinGroupResponse> response,
        string reason)
    {
        group.UpdateMember(member, protocols, RebalanceTimeoutOf(context, request), request.SessionTimeoutMs, response);
        return MaybePrepareRebalanceOrCompleteJoinAsync(group, reason);
    }

    private ValueTask AddMemberThenRebalanceOrCompleteJoinAsync(GroupRequestContext context, JoinGroupRequest request,
        List<MemberProtocol> protocols, ClassicGroup group, string memberId, TaskCompletionSource<JoinGroupResponse> response)
    {
        var member = new ClassicGroupMember(memberId, request.GroupInstanceId, context.ClientId, context.ClientHost,
            RebalanceTimeoutOf(context, request), request.SessionTimeoutMs, request.ProtocolType, protocols, [])
        {
            IsNew = true,
        };

        // A member joining during the initial delayed join extends it (Kafka's InitialDelayedJoin).
        if (group.IsInState(ClassicGroupState.PreparingRebalance) && group.PreviousState == ClassicGroupState.Empty)
        {
            group.NewMemberAdded = true;
        }

        group.Add(member, response);

        // A new member cannot heartbeat before its join is answered, and a client that gave up would otherwise
        // stay forever: its JoinGroup is kept at most this long.
        RescheduleHeartbeat(group, member, NewMemberJoinTimeoutMs);
        return MaybePrepareRebalanceOrCompleteJoinAsync(group, $"member {memberId} joined");
    }

    /// <summary>
    /// A known static member came back with a new member id (a restart): it replaces the old id. A Stable group whose
    /// protocol stays the same does not rebalance; the new id is persisted and the member gets the current generation.
    /// </summary>
    private async ValueTask UpdateStaticMemberAsync(GroupRequestContext context, JoinGroupRequest request, List<MemberProtocol> protocols,
        ClassicGroup group, string oldMemberId, string newMemberId, TaskCompletionSource<JoinGroupResponse> response)
    {
        var instanceId = request.GroupInstanceId!;
        var currentLeader = group.LeaderId ?? string.Empty;
        var member = group.ReplaceStaticMember(instanceId, oldMemberId, newMemberId);
        GroupLog.StaticMemberReplaced(_logger, group.GroupId, instanceId, oldMemberId, newMemberId);
        _timer.Cancel(TimerKey.Heartbeat(group.GroupId, oldMemberId));
        RescheduleHeartbeat(group, member);

        var oldProtocols = member.SupportedProtocols;
        var oldRebalanceTimeoutMs = member.RebalanceTimeoutMs;
        var oldSessionTimeoutMs = member.SessionTimeoutMs;
        group.UpdateMember(member, protocols, RebalanceTimeoutOf(context, request), request.SessionTimeoutMs, response);

        switch (group.State)
        {
            case ClassicGroupState.Stable when group.ProtocolName == group.SelectProtocol():
            {
                var error = await AppendAsync([GroupRecord(group, group.GroupAssignment())]);
                if (error != ErrorCode.None)
                {
                    // Put the old member id back: the log still says so.
                    GroupLog.GroupWriteFailed(_logger, group.GroupId, error, $"static member {instanceId} keeps member id {oldMemberId}");
                    group.UpdateMember(member, oldProtocols, oldRebalanceTimeoutMs, oldSessionTimeoutMs, awaitingJoin: null);
                    var restored = group.ReplaceStaticMember(instanceId, newMemberId, oldMemberId);
                    _timer.Cancel(TimerKey.Heartbeat(group.GroupId, newMemberId));
                    RescheduleHeartbeat(group, restored);
                    response.TrySetResult(new JoinGroupResponse
                    {
                        MemberId = string.Empty,
                        GenerationId = group.GenerationId,
                        ProtocolName = group.ProtocolName,
                        ProtocolType = group.ProtocolType,
                        Leader = currentLeader,
                        ErrorCode = (short)GroupWriteError(error),
                    });
                }
                else if (context.ApiVersion >= 9)
                {
                    // KIP-814: the leader learns it leads but skips the assignment, which a Stable group would ignore.
                    var isLeader = group.IsLeader(newMemberId);
                    var current = CurrentGenerationResponse(group, newMemberId, withMembers: isLeader);
                    current.SkipAssignment = isLeader;
                    group.CompleteJoin(member, current);
                }
                else
                {
                    // Before v9 the old leader id is returned, so that a rejoining leader does not run an assignment
                    // a Stable group would not hand out.
                    var current = CurrentGenerationResponse(group, newMemberId, withMembers: false);
                    current.Leader = currentLeader;
                    group.CompleteJoin(member, current);
                }

                break;
            }

            case ClassicGroupState.Stable:
                await MaybePrepareRebalanceOrCompleteJoinAsync(group, $"static member {instanceId} rejoined with a protocol that changes the selection");
                break;
            case ClassicGroupState.CompletingRebalance:
                // The leader may already be assigning to the old member id: only a new rebalance gets the new id an assignment.
                await PrepareRebalanceAsync(group, $"static member {instanceId} rejoined during CompletingRebalance");
                break;
            case ClassicGroupState.PreparingRebalance:
                await MaybeCompleteJoinPhaseAsync(group);
                break;
            default:
                throw new InvalidOperationException($"Static member {instanceId} of group {group.GroupId} rejoined while the group is {group.State.Name()}.");
        }
    }

    private ValueTask MaybePrepareRebalanceOrCompleteJoinAsync(ClassicGroup group, string reason) =>
        group.CanRebalance ? PrepareRebalanceAsync(group, reason) : MaybeCompleteJoinPhaseAsync(group);

    /// <summary>
    /// Starts a rebalance: waiting syncs are told REBALANCE_IN_PROGRESS, and the join phase gets its deadline; for an
    /// Empty group, the initial delay (group.initial.rebalance.delay.ms) so that more members can arrive first.
    /// </summary>
    private async ValueTask PrepareRebalanceAsync(ClassicGroup group, string reason)
    {
        if (group.IsInState(ClassicGroupState.CompletingRebalance))
        {
            ResetAndPropagateAssignmentWithError(group, ErrorCode.RebalanceInProgress);
        }

        RemoveSyncExpiration(group);
        var isInitialRebalance = group.IsInState(ClassicGroupState.Empty);
        if (isInitialRebalance)
        {
            var delayMs = _config.GroupInitialRebalanceDelayMs;
            var remainingMs = Math.Max(group.RebalanceTimeoutMs - delayMs, 0);
            var groupId = group.GroupId;
            _timer.Schedule(TimerKey.Join(groupId), delayMs, () => TryCompleteInitialRebalanceAsync(groupId, delayMs, remainingMs));
        }

        GroupLog.PreparingRebalance(_logger, group.GroupId, group.State, group.GenerationId, reason);
        group.TransitionTo(ClassicGroupState.PreparingRebalance, NowMs);
        if (!isInitialRebalance)
        {
            await MaybeCompleteJoinElseScheduleAsync(group);
        }
    }

    private async ValueTask MaybeCompleteJoinElseScheduleAsync(ClassicGroup group)
    {
        if (group.HasAllMembersJoined)
        {
            await CompleteJoinAsync(group);
            return;
        }

        var groupId = group.GroupId;
        _timer.Schedule(TimerKey.Join(groupId), group.RebalanceTimeoutMs, () => CompleteJoinAsync(groupId));
    }

    /// <summary>The initial delay ended: extend it while new members keep arriving and time remains, else complete the join.</summary>
    private async ValueTask TryCompleteInitialRebalanceAsync(string groupId, int delayMs, int remainingMs)
    {
        if (!_groups.TryGetValue(groupId, out var group))
        {
            return;
        }

        if (group.NewMemberAdded && remainingMs != 0)
        {
            group.NewMemberAdded = false;
            var newDelayMs = Math.Min(_config.GroupInitialRebalanceDelayMs, remainingMs);
            var newRemainingMs = Math.Max(remainingMs - delayMs, 0);
            _timer.Schedule(TimerKey.Join(groupId), newDelayMs, () => TryCompleteInitialRebalanceAsync(groupId, newDelayMs, newRemainingMs));
            return;
        }

        await CompleteJoinAsync(group);
    }

    /// <summary>Completes the join phase when every member rejoined, except during the initial delayed join.</summary>
    private async ValueTask MaybeCompleteJoinPhaseAsync(ClassicGroup group)
    {
        if (group.IsInState(ClassicGroupState.PreparingRebalance) && group.PreviousState != ClassicGroupState.Empty
            && group.HasAllMembersJoined)
        {
            await CompleteJoinAsync(group);
        }
    }

    private async ValueTask CompleteJoinAsync(string groupId)
    {
        if (_groups.TryGetValue(groupId, out var group))
        {
            await CompleteJoinAsync(group);
        }
    }

    /// <summary>
    /// Ends the join phase: dynamic members that did not rejoin are removed (static ones stay until their session
    /// expires), the next generation starts and every waiting member gets its JoinGroup answer, the leader with all
    /// members' metadata. A group left without members becomes Empty and is persisted so.
    /// </summary>
    private async ValueTask CompleteJoinAsync(ClassicGroup group)
    {
        _timer.Cancel(TimerKey.Join(group.GroupId));
        List<string>? removed = null;
        foreach (var member in group.NotYetRejoinedMembers())
        {
            if (!member.IsStaticMember)
            {
                RemoveMember(group, member, ErrorCode.UnknownMemberId);
                (removed ??= []).Add(member.MemberId);
            }
        }

        if (removed is not null && _logger.IsEnabled(LogLevel.Information))
        {
            var memberIds = string.Join(", ", removed);
            GroupLog.MembersNotRejoined(_logger, group.GroupId, memberIds);
        }

        if (group.IsInState(ClassicGroupState.Dead))
        {
            return;
        }

        if (!group.MaybeElectNewJoinedLeader() && group.NumMembers > 0)
        {
            // Only static members remain and none rejoined: wait until their sessions expire.
            GroupLog.NoMemberRejoined(_logger, group.GroupId);
            var groupId = group.GroupId;
            _timer.Schedule(TimerKey.Join(groupId), group.RebalanceTimeoutMs, () => CompleteJoinAsync(groupId));
            return;
        }

        group.InitNextGeneration(NowMs);
        if (group.IsInState(ClassicGroupState.Empty))
        {
            GroupLog.GroupEmptied(_logger, group.GroupId, group.GenerationId);
            var error = await AppendAsync([GroupRecord(group, EmptyAssignment)]);
            if (error != ErrorCode.None)
            {
                // The log keeps the previous generation; after a restart it comes back and its sessions expire.
                GroupLog.GroupWriteFailed(_logger, group.GroupId, error, "the empty generation is not persisted");
            }

            return;
        }

        foreach (var member in group.Members)
        {
            group.CompleteJoin(member, CurrentGenerationResponse(group, member.MemberId, withMembers: group.IsLeader(member.MemberId)));
            RescheduleHeartbeat(group, member);
            member.IsNew = false;
            group.AddPendingSyncMember(member.MemberId);
        }

        SchedulePendingSync(group);
    }
}
