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

    /// <summary>Called after every write, with what was written: tests and the simulation watch the durable state through it.</summary>
    public Action<QuorumStateData>? Written { get; set; }

    public QuorumStateData? Read() => _bytes is null ? null : KafkaMessage.Deserialize<QuorumStateData>(_bytes, 0);

    public void Write(QuorumStateData state)
    {
        _bytes = KafkaMessage.Serialize(state, 0);
        WriteCount++;
        Written?.Invoke(Read()!);
    }
}
