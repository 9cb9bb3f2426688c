using Rill.Protocol.RaftRecords;

namespace Rill.Raft;

/// <summary>
/// Where a voter keeps its election state (epoch, vote, known leader) so that it never votes twice in one epoch
/// across a restart (kafka: QuorumStateStore, the <c>quorum-state</c> file). Written and synced before any message
/// that depends on it leaves the node.
/// </summary>
public interface IQuorumStateStore
{
    /// <summary>The stored state, or null before the first write. Unreadable state throws: a voter must not guess its vote.</summary>
    QuorumStateData? Read();

    void Write(QuorumStateData state);
}
