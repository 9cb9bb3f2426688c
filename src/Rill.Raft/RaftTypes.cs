namespace Rill.Raft;

/// <summary>A position in the Raft log: an offset and the epoch of the record there (kafka: OffsetAndEpoch).</summary>
public readonly record struct OffsetAndEpoch(long Offset, int Epoch);

/// <summary>Who leads the quorum in an epoch, as this node knows it; <see cref="LeaderId"/> is -1 while unknown.</summary>
public readonly record struct LeaderAndEpoch(int LeaderId, int Epoch)
{
    public static readonly LeaderAndEpoch Unknown = new(-1, 0);

    public bool IsLeader(int nodeId) => LeaderId == nodeId;
}

/// <summary>
/// A committed batch, handed to listeners in log order: each data record's value as the leader appended it (the
/// metadata layer's framed records). A control batch comes with no records, so that a listener knows how far the
/// committed log reaches even when it ends in one.
/// </summary>
public sealed record RaftBatch(long BaseOffset, long LastOffset, int Epoch, long AppendTimestampMs, IReadOnlyList<ReadOnlyMemory<byte>> Records);

/// <summary>What an append wrote: the offsets of its first and last records.</summary>
public readonly record struct LogAppendInfo(long FirstOffset, long LastOffset);

/// <summary>Whole record batches read from the log, starting at <see cref="StartOffset"/> (empty when nothing is there).</summary>
public readonly record struct LogFetchInfo(ReadOnlyMemory<byte> Records, long StartOffset);
