using Rill.Protocol;
using Rill.Protocol.RaftRecords;

namespace Rill.Raft.Tests;

/// <summary>
/// The quorum-state file in memory: every write is durable at once (as the file store syncs before returning), kept
/// serialized at version 0 (Kafka's for static voters) so that only what the format carries survives a restart.
/// </summary>
internal sealed class MemoryQuorumStateStore : IQuorumStateStore
{
    private byte[]? _bytes;

    public int WriteCount { get; private set; }

    /// <summary>
    /// A broken store for the simulation's own tests: what it hands back has lost the vote, so a restarted voter may
    /// vote again in an epoch it already voted in.
    /// </summary>
    public bool ForgetsVotes { get; init; }

    /// <summary>Called after every write, with what was written: tests and the simulation watch the durable state through it.</summary>
    public Action<QuorumStateData>? Written { get; set; }

    public QuorumStateData? Read()
    {
        if (_bytes is null)
        {
            return null;
        }

        var state = KafkaMessage.Deserialize<QuorumStateData>(_bytes, 0);
        if (ForgetsVotes)
        {
            state.VotedId = -1;
        }

        return state;
    }

    public void Write(QuorumStateData state)
    {
        _bytes = KafkaMessage.Serialize(state, 0);
        WriteCount++;
        Written?.Invoke(KafkaMessage.Deserialize<QuorumStateData>(_bytes, 0));
    }
}
