namespace Rill.Raft;

/// <summary>
/// Where a voter serves the quorum's RPCs: its host and port from controller.quorum.voters, on the first listener of
/// controller.listener.names. The leader sends its own in BeginQuorumEpoch and EndQuorumEpoch, and answers name it, as
/// Kafka does; DescribeQuorum v2 lists every voter's.
/// </summary>
public sealed record RaftEndpoint(string ListenerName, string Host, int Port);
