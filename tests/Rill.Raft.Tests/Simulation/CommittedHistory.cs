namespace Rill.Raft.Tests.Simulation;

/// <summary>
/// What the quorum committed, as the first node to commit each part told it: every committed batch (bytes and all) by
/// its base offset, and every committed record's value in offset order with the state (count, hash) after it. Every
/// later sighting must match, which is log matching on the committed prefix; a leader must hold all of it, which is
/// "no committed entry is ever lost".
/// </summary>
internal sealed class CommittedHistory
{
    public const ulong EmptyHash = 14695981039346656037;

    private readonly Dictionary<long, byte[]> _batches = [];
    private readonly Dictionary<long, string> _records = [];
    private readonly List<long> _recordOffsets = [];
    private readonly List<(long Count, ulong Hash)> _stateAfter = [];

    /// <summary>The highest high watermark any node showed: everything below it is committed.</summary>
    public long CommittedEnd { get; private set; }

    public static ulong Mix(ulong hash, string value)
    {
        // FNV-1a over the value's characters, then a separator so that "ab","c" differs from "a","bc".
        foreach (var c in value)
        {
            hash = (hash ^ c) * 1099511628211;
        }

        return (hash ^ 0xFF) * 1099511628211;
    }

    public void ObserveCommittedEnd(long highWatermark) => CommittedEnd = Math.Max(CommittedEnd, highWatermark);

    public void ObserveBatch(int nodeId, long baseOffset, byte[] bytes)
    {
        if (_batches.TryGetValue(baseOffset, out var known))
        {
            if (!known.AsSpan().SequenceEqual(bytes))
            {
                throw new SimulationFailure("LogMatching", $"node {nodeId} holds a different committed batch at offset {baseOffset}");
            }

            return;
        }

        _batches[baseOffset] = bytes;
    }

    public bool TryGetBatch(long baseOffset, out byte[] bytes) => _batches.TryGetValue(baseOffset, out bytes!);

    public bool TryGetRecord(long offset, out string value) => _records.TryGetValue(offset, out value!);

    public void ObserveRecord(int nodeId, long offset, string value)
    {
        if (_records.TryGetValue(offset, out var known))
        {
            if (known != value)
            {
                throw new SimulationFailure("LogMatching",
                    $"node {nodeId} committed '{value}' at offset {offset} where '{known}' was committed before");
            }

            return;
        }

        if (_recordOffsets.Count > 0 && offset <= _recordOffsets[^1])
        {
            throw new SimulationFailure("LogMatching", $"node {nodeId} committed offset {offset} that the history skipped");
        }

        var (count, hash) = _stateAfter.Count > 0 ? _stateAfter[^1] : (0L, EmptyHash);
        _records[offset] = value;
        _recordOffsets.Add(offset);
        _stateAfter.Add((count + 1, Mix(hash, value)));
    }

    /// <summary>A node's state after every record below <paramref name="offset"/> must be the history's.</summary>
    public void VerifyState(int nodeId, string what, long offset, long count, ulong hash)
    {
        var index = _recordOffsets.BinarySearch(offset);
        var last = index >= 0 ? index - 1 : ~index - 1;
        var expected = last >= 0 ? _stateAfter[last] : (0L, EmptyHash);
        if (expected != (count, hash))
        {
            throw new SimulationFailure("CommittedStateMatches",
                $"node {nodeId}'s state after its {what} up to {offset} holds {count} records, the history {expected.Item1} (or their hashes differ)");
        }
    }
}
