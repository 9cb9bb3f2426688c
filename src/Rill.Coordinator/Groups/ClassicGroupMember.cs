using Rill.Protocol.Messages;

namespace Rill.Coordinator.Groups;

/// <summary>
/// A member of a classic group: what it joined with, its assignment, and the JoinGroup/SyncGroup requests it is
/// waiting on. Touched only on its partition's event loop.
/// </summary>
internal sealed class ClassicGroupMember
{
    public ClassicGroupMember(
        string memberId,
        string? groupInstanceId,
        string clientId,
        string clientHost,
        int rebalanceTimeoutMs,
        int sessionTimeoutMs,
        string protocolType,
        IReadOnlyList<MemberProtocol> supportedProtocols,
        byte[] assignment)
    {
        MemberId = memberId;
        GroupInstanceId = groupInstanceId;
        ClientId = clientId;
        ClientHost = clientHost;
        RebalanceTimeoutMs = rebalanceTimeoutMs;
        SessionTimeoutMs = sessionTimeoutMs;
        ProtocolType = protocolType;
        SupportedProtocols = supportedProtocols;
        Assignment = assignment;
    }

    public string MemberId { get; }

    public string? GroupInstanceId { get; }

    public bool IsStaticMember => GroupInstanceId is not null;

    public string ClientId { get; }

    public string ClientHost { get; }

    public int RebalanceTimeoutMs { get; set; }

    public int SessionTimeoutMs { get; set; }

    public string ProtocolType { get; }

    /// <summary>In the member's order of preference.</summary>
    public IReadOnlyList<MemberProtocol> SupportedProtocols { get; set; }

    public byte[] Assignment { get; set; }

    /// <summary>Set while the member's JoinGroup waits for the join phase to complete.</summary>
    public TaskCompletionSource<JoinGroupResponse>? AwaitingJoin { get; set; }

    /// <summary>Set while the member's SyncGroup waits for the leader's assignment.</summary>
    public TaskCompletionSource<SyncGroupResponse>? AwaitingSync { get; set; }

    /// <summary>Added in the current join phase and not yet answered: its session timeout does not protect it.</summary>
    public bool IsNew { get; set; }

    public bool IsAwaitingJoin => AwaitingJoin is not null;

    public bool IsAwaitingSync => AwaitingSync is not null;

    /// <summary>A member waiting on a join or sync counts as alive; a new member does not (it may have gone away).</summary>
    public bool HasSatisfiedHeartbeat => !IsNew && (IsAwaitingJoin || IsAwaitingSync);

    /// <summary>The member's metadata for <paramref name="protocolName"/>, which it must support.</summary>
    public byte[] Metadata(string protocolName)
    {
        foreach (var protocol in SupportedProtocols)
        {
            if (protocol.Name == protocolName)
            {
                return protocol.Metadata;
            }
        }

        throw new InvalidOperationException($"Member {MemberId} does not support protocol {protocolName}.");
    }

    /// <summary>True when <paramref name="protocols"/> are the member's protocols, same order, same metadata bytes.</summary>
    public bool Matches(IReadOnlyList<MemberProtocol> protocols)
    {
        if (protocols.Count != SupportedProtocols.Count)
        {
            return false;
        }

        for (var i = 0; i < protocols.Count; i++)
        {
            if (protocols[i].Name != SupportedProtocols[i].Name
                || !protocols[i].Metadata.AsSpan().SequenceEqual(SupportedProtocols[i].Metadata))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The member's most preferred protocol among <paramref name="candidates"/>.</summary>
    public string Vote(IReadOnlySet<string> candidates)
    {
        foreach (var protocol in SupportedProtocols)
        {
            if (candidates.Contains(protocol.Name))
            {
                return protocol.Name;
            }
        }

        throw new InvalidOperationException($"Member {MemberId} supports none of the candidate protocols.");
    }
}
