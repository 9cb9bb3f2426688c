namespace Rill.Config;

/// <summary>One entry of <c>controller.quorum.voters</c>: <c>id@host:port</c>.</summary>
public sealed record QuorumVoter(int NodeId, string Host, int Port);
