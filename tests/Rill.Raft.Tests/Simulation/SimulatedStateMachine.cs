using System.Buffers.Binary;
using System.Text;

namespace Rill.Raft.Tests.Simulation;

/// <summary>
/// The listener of a simulated node: it folds every committed record into a count and a hash, checks each record
/// against the committed history, and now and then snapshots its state (KIP-630) so that logs get cut and lagging
/// nodes must fetch a snapshot.
/// </summary>
internal sealed class SimulatedStateMachine : IRaftListener
{
    private readonly SimulatedCluster _cluster;
    private readonly SimulatedNode _node;
    private long _nextOffset = -1;
    private int _sinceSnapshot;

    public SimulatedStateMachine(SimulatedCluster cluster, SimulatedNode node)
    {
        _cluster = cluster;
        _node = node;
    }

    public long Count { get; private set; }

    public ulong Hash { get; private set; } = CommittedHistory.EmptyHash;

    public HashSet<string> Applied { get; } = [];

    public void HandleLoadSnapshot(RaftSnapshot snapshot)
    {
        var client = _node.Client;
        if (client is { IsLeader: true })
        {
            throw new SimulationFailure("LeaderNeverLoadsSnapshot", $"node {_node.Id} loaded snapshot {snapshot.SnapshotId} while leading");
        }

        var (count, hash) = snapshot.Batches.Count == 0 ? (0L, CommittedHistory.EmptyHash) : Decode(snapshot);
        _cluster.History.VerifyState(_node.Id, "snapshot", snapshot.SnapshotId.Offset, count, hash);
        Count = count;
        Hash = hash;
        _nextOffset = snapshot.SnapshotId.Offset;
        Applied.Clear();
        _cluster.Trace($"node {_node.Id} loaded snapshot {snapshot.SnapshotId} ({count} records)");
    }

    public void HandleCommit(RaftBatch batch)
    {
        var client = _node.Client!;
        if (batch.LastOffset >= client.HighWatermark)
        {
            throw new SimulationFailure("OnlyCommittedData",
                $"node {_node.Id} was handed batch {batch.BaseOffset}-{batch.LastOffset} with the high watermark at {client.HighWatermark}");
        }

        if (batch.BaseOffset < _nextOffset)
        {
            throw new SimulationFailure("LogOrder", $"node {_node.Id} was handed batch {batch.BaseOffset} after offset {_nextOffset - 1}");
        }

        for (var i = 0; i < batch.Records.Count; i++)
        {
            var value = Encoding.UTF8.GetString(batch.Records[i].Span);
            _cluster.History.ObserveRecord(_node.Id, batch.BaseOffset + i, value);
            Count++;
            Hash = CommittedHistory.Mix(Hash, value);
            Applied.Add(value);
        }

        _cluster.History.VerifyState(_node.Id, "commit", batch.LastOffset + 1, Count, Hash);
        _nextOffset = batch.LastOffset + 1;
        _sinceSnapshot += batch.Records.Count;
        if (_sinceSnapshot >= _cluster.SnapshotEvery && (client.LatestSnapshotId?.Offset ?? 0) < _nextOffset)
        {
            _sinceSnapshot = 0;
            using var writer = client.CreateSnapshot(new OffsetAndEpoch(_nextOffset, batch.Epoch), batch.AppendTimestampMs);
            writer.Append([Encode(Count, Hash)]);
            writer.Freeze();
            _cluster.Trace($"node {_node.Id} snapshot at {writer.SnapshotId}, log now {_node.Log.StartOffset}-{_node.Log.EndOffset}");
        }
    }

    public void HandleLeaderChange(LeaderAndEpoch leader) => _cluster.Trace($"node {_node.Id} told leader {leader.LeaderId} of epoch {leader.Epoch}");

    private static byte[] Encode(long count, ulong hash)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, count);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8), hash);
        return bytes;
    }

    private (long Count, ulong Hash) Decode(RaftSnapshot snapshot)
    {
        if (snapshot.Batches is not [{ Records: [var record] }] || record.Length != 16)
        {
            throw new SimulationFailure("SnapshotContents", $"node {_node.Id} loaded snapshot {snapshot.SnapshotId} that is not one state record");
        }

        return (BinaryPrimitives.ReadInt64BigEndian(record.Span), BinaryPrimitives.ReadUInt64BigEndian(record.Span[8..]));
    }
}
