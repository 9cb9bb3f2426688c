using Rill.Common;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Coordinator.Groups;

/// <summary>
/// A group of Kafka's classic protocol: members, generation, leader, selected protocol and the named state machine
/// (<see cref="ClassicGroupState"/>). Pure state with no I/O and no timers; the shard drives it on its event loop.
/// </summary>
internal sealed class ClassicGroup
{
    public const string ConsumerProtocolType = "consumer";

    // Insertion order: the first member still present becomes leader when the leader leaves.
    private readonly OrderedDictionary<string, ClassicGroupMember> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _staticMembers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pendingJoinMembers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pendingSyncMembers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _supportedProtocols = new(StringComparer.Ordinal);
    private int _numMembersAwaitingJoin;

    /// <summary>A new group with no members.</summary>
    public ClassicGroup(string groupId, long nowMs)
        : this(groupId, ClassicGroupState.Empty, 0, protocolType: null, protocolName: null, leaderId: null, nowMs)
    {
    }

    /// <summary>A group as its last GroupMetadata record describes it (members are added after).</summary>
    public ClassicGroup(string groupId, ClassicGroupState state, int generationId, string? protocolType, string? protocolName,
        string? leaderId, long? currentStateTimestampMs)
    {
        GroupId = groupId;
        State = state;
        PreviousState = ClassicGroupState.Dead;
        GenerationId = generationId;
        ProtocolType = protocolType;
        ProtocolName = protocolName;
        LeaderId = leaderId;
        CurrentStateTimestampMs = currentStateTimestampMs;
    }

    public string GroupId { get; }

    public ClassicGroupState State { get; private set; }

    public ClassicGroupState PreviousState { get; private set; }

    public int GenerationId { get; private set; }

    /// <summary>Null for a "simple" group that only stores offsets.</summary>
    public string? ProtocolType { get; private set; }

    /// <summary>The protocol selected for the current generation; null while there is none.</summary>
    public string? ProtocolName { get; private set; }

    public string? LeaderId { get; private set; }

    /// <summary>When the group entered its state; for an Empty group, when offsets' retention starts (KIP-211).</summary>
    public long? CurrentStateTimestampMs { get; private set; }

    /// <summary>A member joined during the initial delayed join, which may then be extended.</summary>
    public bool NewMemberAdded { get; set; }

    /// <summary>The topics the members subscribe to; null when unknown (not a consumer group, or unparsable metadata).</summary>
    public IReadOnlySet<string>? SubscribedTopics { get; private set; }

    public int NumMembers => _members.Count;

    public IEnumerable<ClassicGroupMember> Members => _members.Values;

    public int NumAwaitingJoinResponse => _numMembersAwaitingJoin;

    public IReadOnlyCollection<string> PendingSyncMembers => _pendingSyncMembers;

    public bool HasReceivedSyncFromAllMembers => _pendingSyncMembers.Count == 0;

    public bool HasAllMembersJoined => _members.Count == _numMembersAwaitingJoin && _pendingJoinMembers.Count == 0;

    public bool UsesConsumerProtocol => ProtocolType == ConsumerProtocolType;

    /// <summary>The largest rebalance timeout of the members: how long a join phase may wait.</summary>
    public int RebalanceTimeoutMs
    {
        get
        {
            var max = 0;
            foreach (var member in _members.Values)
            {
                max = Math.Max(max, member.RebalanceTimeoutMs);
            }

            return max;
        }
    }

    public bool IsInState(ClassicGroupState state) => State == state;

    public bool CanRebalance => ClassicGroupStates.CanTransition(State, ClassicGroupState.PreparingRebalance);

    public bool HasMember(string memberId) => _members.ContainsKey(memberId);

    public bool TryGetMember(string memberId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ClassicGroupMember? member) =>
        _members.TryGetValue(memberId, out member);

    public ClassicGroupMember Member(string memberId) => _members[memberId];

    public bool IsLeader(string memberId) => LeaderId == memberId;

    public bool IsPendingMember(string memberId) => _pendingJoinMembers.Contains(memberId);

    public void AddPendingMember(string memberId) => _pendingJoinMembers.Add(memberId);

    public void AddPendingSyncMember(string memberId) => _pendingSyncMembers.Add(memberId);

    public void RemovePendingSyncMember(string memberId) => _pendingSyncMembers.Remove(memberId);

    public void ClearPendingSyncMembers() => _pendingSyncMembers.Clear();

    public string? StaticMemberId(string groupInstanceId) => _staticMembers.GetValueOrDefault(groupInstanceId);

    /// <summary>Kafka's member ids: the client id (or the static instance id) and a random UUID.</summary>
    public static string GenerateMemberId(string clientId, string? groupInstanceId) =>
        (groupInstanceId ?? clientId) + "-" + Guid.NewGuid().ToString("D");

    /// <summary>Adds a member; the first member decides the group's protocol type and, while there is none, becomes leader.</summary>
    public void Add(ClassicGroupMember member, TaskCompletionSource<JoinGroupResponse>? awaitingJoin)
    {
        if (member.GroupInstanceId is { } instanceId && !_staticMembers.TryAdd(instanceId, member.MemberId))
        {
            throw new InvalidOperationException($"Static member {instanceId} is already a member of group {GroupId}.");
        }

        if (_members.Count == 0)
        {
            ProtocolType = member.ProtocolType;
        }

        LeaderId ??= member.MemberId;
        _members.Add(member.MemberId, member);
        IncrementSupportedProtocols(member);
        member.AwaitingJoin = awaitingJoin;
        if (member.IsAwaitingJoin)
        {
            _numMembersAwaitingJoin++;
        }

        _pendingJoinMembers.Remove(member.MemberId);
    }

    /// <summary>Removes a member or pending member; a leaving leader hands over to the earliest remaining member.</summary>
    public void Remove(string memberId)
    {
        if (_members.Remove(memberId, out var removed))
        {
            DecrementSupportedProtocols(removed);
            if (removed.IsAwaitingJoin)
            {
                _numMembersAwaitingJoin--;
            }

            if (removed.GroupInstanceId is { } instanceId)
            {
                _staticMembers.Remove(instanceId);
            }
        }

        if (IsLeader(memberId))
        {
            LeaderId = _members.Count > 0 ? _members.GetAt(0).Key : null;
        }

        _pendingJoinMembers.Remove(memberId);
        _pendingSyncMembers.Remove(memberId);
    }

    /// <summary>
    /// Keeps the leader if it rejoined, else picks the first member that did. False when the group has no leader or
    /// no member rejoined.
    /// </summary>
    public bool MaybeElectNewJoinedLeader()
    {
        if (LeaderId is null)
        {
            return false;
        }

        if (_members[LeaderId].IsAwaitingJoin)
        {
            return true;
        }

        foreach (var member in _members.Values)
        {
            if (member.IsAwaitingJoin)
            {
                LeaderId = member.MemberId;
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A known static member rejoined with a new member id: the old id is fenced (its waiting requests answer
    /// FENCED_INSTANCE_ID) and the new one takes its place, protocols and assignment.
    /// </summary>
    public ClassicGroupMember ReplaceStaticMember(string groupInstanceId, string oldMemberId, string newMemberId)
    {
        var index = _members.IndexOf(oldMemberId);
        if (index < 0)
        {
            throw new InvalidOperationException($"Cannot replace member {oldMemberId} of group {GroupId}: it is not a member.");
        }

        var old = _members.GetAt(index).Value;
        CompleteJoin(old, new JoinGroupResponse { MemberId = oldMemberId, ErrorCode = (short)ErrorCode.FencedInstanceId });
        CompleteSync(old, new SyncGroupResponse { ErrorCode = (short)ErrorCode.FencedInstanceId });
        var replacement = new ClassicGroupMember(newMemberId, old.GroupInstanceId, old.ClientId, old.ClientHost, old.RebalanceTimeoutMs,
            old.SessionTimeoutMs, old.ProtocolType, old.SupportedProtocols, old.Assignment);
        _members.RemoveAt(index);
        _members.Insert(index, newMemberId, replacement);
        if (IsLeader(oldMemberId))
        {
            LeaderId = newMemberId;
        }

        _staticMembers[groupInstanceId] = newMemberId;
        return replacement;
    }

    /// <summary>Members that have not rejoined during the current join phase.</summary>
    public List<ClassicGroupMember> NotYetRejoinedMembers()
    {
        var result = new List<ClassicGroupMember>();
        foreach (var member in _members.Values)
        {
            if (!member.IsAwaitingJoin)
            {
                result.Add(member);
            }
        }

        return result;
    }

    /// <summary>NONE when the member (and, if given, its static instance) is current; UNKNOWN_MEMBER_ID or FENCED_INSTANCE_ID otherwise.</summary>
    public ErrorCode ValidateMember(string memberId, string? groupInstanceId)
    {
        if (groupInstanceId is not null)
        {
            var existing = StaticMemberId(groupInstanceId);
            if (existing is null)
            {
                return ErrorCode.UnknownMemberId;
            }

            if (existing != memberId)
            {
                return ErrorCode.FencedInstanceId;
            }
        }

        return HasMember(memberId) ? ErrorCode.None : ErrorCode.UnknownMemberId;
    }

    /// <summary>
    /// Kafka's rules for a (non-transactional) OffsetCommit: generation -1 commits to an Empty group (simple consumers,
    /// admin tools); otherwise the member must be current and of this generation, and not mid-rebalance.
    /// </summary>
    public ErrorCode ValidateOffsetCommit(string memberId, string? groupInstanceId, int generationId)
    {
        if (IsInState(ClassicGroupState.Dead))
        {
            return ErrorCode.CoordinatorNotAvailable;
        }

        if (generationId < 0 && IsInState(ClassicGroupState.Empty))
        {
            return ErrorCode.None;
        }

        if (generationId >= 0 || memberId.Length > 0 || groupInstanceId is not null)
        {
            var memberError = ValidateMember(memberId, groupInstanceId);
            if (memberError != ErrorCode.None)
            {
                return memberError;
            }

            if (generationId != GenerationId)
            {
                return ErrorCode.IllegalGeneration;
            }
        }
        else if (!IsInState(ClassicGroupState.Empty))
        {
            return ErrorCode.UnknownMemberId;
        }

        return IsInState(ClassicGroupState.CompletingRebalance) ? ErrorCode.RebalanceInProgress : ErrorCode.None;
    }

    /// <summary>OffsetDelete needs an Empty group, or a consumer group (then per topic: not subscribed).</summary>
    public ErrorCode ValidateOffsetDelete() => State switch
    {
        ClassicGroupState.Dead => ErrorCode.GroupIdNotFound,
        ClassicGroupState.Stable or ClassicGroupState.PreparingRebalance or ClassicGroupState.CompletingRebalance
            when !UsesConsumerProtocol => ErrorCode.NonEmptyGroup,
        _ => ErrorCode.None,
    };

    public void TransitionTo(ClassicGroupState state, long nowMs)
    {
        if (!ClassicGroupStates.CanTransition(State, state))
        {
            throw new InvalidOperationException($"Group {GroupId} cannot move from {State.Name()} to {state.Name()}.");
        }

        PreviousState = State;
        State = state;
        CurrentStateTimestampMs = nowMs;
    }

    /// <summary>
    /// True when a member with this protocol type and these protocols can join: any non-empty set for an Empty
    /// group, else the same type and at least one protocol every member supports.
    /// </summary>
    public bool SupportsProtocols(string protocolType, IReadOnlyList<MemberProtocol> protocols)
    {
        if (IsInState(ClassicGroupState.Empty))
        {
            return protocolType.Length > 0 && protocols.Count > 0;
        }

        if (ProtocolType != protocolType)
        {
            return false;
        }

        foreach (var protocol in protocols)
        {
            if (_supportedProtocols.GetValueOrDefault(protocol.Name) == _members.Count)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The protocol for the next generation: among those every member supports, each member votes for its most
    /// preferred one and the most votes win (ties: the one voted first, which keeps the choice deterministic).
    /// </summary>
    public string SelectProtocol()
    {
        if (_members.Count == 0)
        {
            throw new InvalidOperationException($"Cannot select a protocol for empty group {GroupId}.");
        }

        var candidates = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, count) in _supportedProtocols)
        {
            if (count == _members.Count)
            {
                candidates.Add(name);
            }
        }

        var votes = new OrderedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var member in _members.Values)
        {
            var vote = member.Vote(candidates);
            votes[vote] = votes.GetValueOrDefault(vote) + 1;
        }

        var selected = votes.GetAt(0);
        foreach (var entry in votes)
        {
            if (entry.Value > selected.Value)
            {
                selected = entry;
            }
        }

        return selected.Key;
    }

    /// <summary>Unknown subscriptions count as subscribed for consumer groups (conservative), not for others.</summary>
    public bool IsSubscribedToTopic(string topic) => SubscribedTopics?.Contains(topic) ?? UsesConsumerProtocol;

    /// <summary>Replaces a member's protocols and timeouts, and the join it waits on (null: none).</summary>
    public void UpdateMember(ClassicGroupMember member, IReadOnlyList<MemberProtocol> protocols, int rebalanceTimeoutMs,
        int sessionTimeoutMs, TaskCompletionSource<JoinGroupResponse>? awaitingJoin)
    {
        DecrementSupportedProtocols(member);
        member.SupportedProtocols = protocols;
        IncrementSupportedProtocols(member);
        member.RebalanceTimeoutMs = rebalanceTimeoutMs;
        member.SessionTimeoutMs = sessionTimeoutMs;
        if (awaitingJoin is not null && !member.IsAwaitingJoin)
        {
            _numMembersAwaitingJoin++;
        }
        else if (awaitingJoin is null && member.IsAwaitingJoin)
        {
            _numMembersAwaitingJoin--;
        }

        // A member that sends a second JoinGroup while the first still waits gave up on the first: answer it so
        // that nothing is left hanging; REBALANCE_IN_PROGRESS makes a client that still listens simply rejoin.
        if (awaitingJoin is not null && member.AwaitingJoin is { } superseded && superseded != awaitingJoin)
        {
            superseded.TrySetResult(new JoinGroupResponse { MemberId = member.MemberId, ErrorCode = (short)ErrorCode.RebalanceInProgress });
        }

        member.AwaitingJoin = awaitingJoin;
    }

    /// <summary>Answers the member's waiting JoinGroup, if any.</summary>
    public bool CompleteJoin(ClassicGroupMember member, JoinGroupResponse response)
    {
        if (member.AwaitingJoin is not { } awaiting)
        {
            return false;
        }

        member.AwaitingJoin = null;
        _numMembersAwaitingJoin--;
        awaiting.TrySetResult(response);
        return true;
    }

    /// <summary>Answers the member's waiting SyncGroup, if any.</summary>
    public static bool CompleteSync(ClassicGroupMember member, SyncGroupResponse response)
    {
        if (member.AwaitingSync is not { } awaiting)
        {
            return false;
        }

        member.AwaitingSync = null;
        awaiting.TrySetResult(response);
        return true;
    }

    /// <summary>Starts the next generation: CompletingRebalance with a selected protocol, or Empty without members.</summary>
    public void InitNextGeneration(long nowMs)
    {
        GenerationId++;
        if (_members.Count > 0)
        {
            ProtocolName = SelectProtocol();
            SubscribedTopics = ComputeSubscribedTopics();
            TransitionTo(ClassicGroupState.CompletingRebalance, nowMs);
        }
        else
        {
            ProtocolName = null;
            SubscribedTopics = ComputeSubscribedTopics();
            TransitionTo(ClassicGroupState.Empty, nowMs);
        }

        ClearPendingSyncMembers();
    }

    /// <summary>Recomputes <see cref="SubscribedTopics"/> after a load.</summary>
    public void RefreshSubscribedTopics() => SubscribedTopics = ComputeSubscribedTopics();

    /// <summary>Every member with its metadata for the selected protocol: what the leader's JoinGroup response carries.</summary>
    public List<JoinGroupResponse.JoinGroupResponseMember> CurrentMembersForJoin()
    {
        var protocol = ProtocolName ?? throw new InvalidOperationException($"Group {GroupId} has no selected protocol.");
        var members = new List<JoinGroupResponse.JoinGroupResponseMember>(_members.Count);
        foreach (var member in _members.Values)
        {
            members.Add(new JoinGroupResponse.JoinGroupResponseMember
            {
                MemberId = member.MemberId,
                GroupInstanceId = member.GroupInstanceId,
                Metadata = member.Metadata(protocol),
            });
        }

        return members;
    }

    /// <summary>The members' current assignments by member id.</summary>
    public Dictionary<string, byte[]> GroupAssignment()
    {
        var assignment = new Dictionary<string, byte[]>(_members.Count, StringComparer.Ordinal);
        foreach (var member in _members.Values)
        {
            assignment[member.MemberId] = member.Assignment;
        }

        return assignment;
    }

    /// <summary>
    /// The topics of the members' ConsumerProtocolSubscription (parsed at v0, the prefix of every version), when
    /// the protocol type is "consumer"; null when that cannot be known.
    /// </summary>
    private HashSet<string>? ComputeSubscribedTopics()
    {
        if (!UsesConsumerProtocol)
        {
            return null;
        }

        var topics = new HashSet<string>(StringComparer.Ordinal);
        if (_members.Count == 0)
        {
            return topics;
        }

        if (ProtocolName is null)
        {
            return null;
        }

        try
        {
            foreach (var member in _members.Values)
            {
                var reader = new KafkaReader(member.Metadata(ProtocolName));
                if (reader.ReadInt16() < 0)
                {
                    return null;
                }

                topics.UnionWith(ConsumerProtocolSubscription.Read(ref reader, 0).Topics);
            }
        }
        catch (ProtocolException)
        {
            return null;
        }

        return topics;
    }

    private void IncrementSupportedProtocols(ClassicGroupMember member)
    {
        foreach (var protocol in member.SupportedProtocols)
        {
            _supportedProtocols[protocol.Name] = _supportedProtocols.GetValueOrDefault(protocol.Name) + 1;
        }
    }

    private void DecrementSupportedProtocols(ClassicGroupMember member)
    {
        foreach (var protocol in member.SupportedProtocols)
        {
            _supportedProtocols[protocol.Name] = _supportedProtocols.GetValueOrDefault(protocol.Name) - 1;
        }
    }
}
