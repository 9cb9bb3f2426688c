using Rill.Common;
using Rill.Protocol.Records;

namespace Rill.Raft.Tests;

/// <summary>
/// An <see cref="IRaftLog"/> in memory (kafka: raft's <c>MockLog</c>) that keeps what a disk would keep:
/// <see cref="Crash"/> is a hard kill, after which only the flushed prefix, frozen snapshots and truncations survive.
/// It checks the contract as strictly as storage must (whole batches, contiguous offsets, no truncation below the
/// high watermark), so that a client bug shows up here rather than on disk.
/// </summary>
internal sealed class MemoryRaftLog : IRaftLog
{
    private readonly List<Entry> _batches = [];
    private readonly List<(OffsetAndEpoch Id, byte[] Bytes)> _snapshots = [];
    private int _startEpoch;
    private int _generation;

    public long StartOffset { get; private set; }

    public long EndOffset => _batches.Count > 0 ? _batches[^1].LastOffset + 1 : StartOffset;

    public long FlushedOffset => FlushIsALie ? EndOffset : DurableOffset;

    /// <summary>What survives <see cref="Crash"/>: the end of the prefix that was really synced.</summary>
    public long DurableOffset { get; private set; }

    /// <summary>
    /// A broken disk for the simulation's own tests: <see cref="FlushedOffset"/> claims everything is synced while
    /// nothing is, so a crash loses records the quorum counted as durable.
    /// </summary>
    public bool FlushIsALie { get; init; }

    public int LastFetchedEpoch => _batches.Count > 0 ? _batches[^1].Epoch : _startEpoch;

    public long HighWatermark { get; private set; }

    /// <summary>False makes <see cref="Flush"/> a no-op, as a disk that has not synced yet.</summary>
    public bool FlushEnabled { get; set; } = true;

    /// <summary>Truncations that removed records (divergence), for the simulation's summary.</summary>
    public int TruncationCount { get; private set; }

    /// <summary>Times the log started over from a downloaded snapshot.</summary>
    public int SnapshotInstallCount { get; private set; }

    public OffsetAndEpoch? LatestSnapshotId => _snapshots.Count > 0 ? _snapshots[^1].Id : null;

    public OffsetAndEpoch? EarliestSnapshotId => _snapshots.Count > 0 ? _snapshots[0].Id : null;

    /// <summary>Every batch, in order, as stored (tests read the log through it).</summary>
    public IReadOnlyList<byte[]> Batches => _batches.ConvertAll(static e => e.Bytes);

    /// <summary>The batches that end at or after <paramref name="offset"/>, in order, without copying.</summary>
    public IEnumerable<(long BaseOffset, long LastOffset, int Epoch, byte[] Bytes)> BatchesFrom(long offset)
    {
        foreach (var entry in _batches)
        {
            if (entry.LastOffset >= offset)
            {
                yield return (entry.BaseOffset, entry.LastOffset, entry.Epoch, entry.Bytes);
            }
        }
    }

    public LogAppendInfo AppendAsLeader(ReadOnlyMemory<byte> batches, int epoch)
    {
        var first = EndOffset;
        foreach (var batch in SplitWhole(batches))
        {
            var copy = batch.ToArray();
            RecordBatch.SetBaseOffset(copy, EndOffset);
            RecordBatch.SetPartitionLeaderEpoch(copy, epoch);
            Add(copy);
        }

        return new LogAppendInfo(first, EndOffset - 1);
    }

    public LogAppendInfo AppendAsFollower(ReadOnlyMemory<byte> batches)
    {
        var validation = RecordBatchValidator.Validate(batches, new RecordValidationOptions(
            int.MaxValue, 64L * 1024 * 1024, FromClient: false, TimestampType.CreateTime, 0, long.MaxValue, long.MaxValue));
        if (!validation.IsValid)
        {
            throw new InvalidOperationException($"a follower append failed validation: {validation.ErrorCode} {validation.ErrorMessage}");
        }

        var first = EndOffset;
        foreach (var batch in SplitWhole(batches))
        {
            if (RecordBatch.GetBaseOffset(batch.Span) != EndOffset)
            {
                throw new InvalidOperationException($"a follower append starts at {RecordBatch.GetBaseOffset(batch.Span)}, not at the log end {EndOffset}");
            }

            Add(batch.ToArray());
        }

        return new LogAppendInfo(first, EndOffset - 1);
    }

    public LogFetchInfo Read(long startOffset, long maxOffsetExclusive, int maxBytes)
    {
        var selected = new List<byte[]>();
        var size = 0;
        long firstOffset = -1;
        foreach (var entry in _batches)
        {
            if (entry.LastOffset < startOffset)
            {
                continue;
            }

            if (entry.LastOffset >= maxOffsetExclusive || selected.Count > 0 && size + entry.Bytes.Length > maxBytes)
            {
                break;
            }

            if (firstOffset < 0)
            {
                firstOffset = entry.BaseOffset;
            }

            selected.Add(entry.Bytes);
            size += entry.Bytes.Length;
        }

        var records = new byte[size];
        var position = 0;
        foreach (var bytes in selected)
        {
            bytes.CopyTo(records, position);
            position += bytes.Length;
        }

        return new LogFetchInfo(records, firstOffset < 0 ? startOffset : firstOffset);
    }

    public void TruncateTo(long offset)
    {
        if (offset < HighWatermark)
        {
            throw new InvalidOperationException($"truncation to {offset} is below the high watermark {HighWatermark}");
        }

        if (offset < StartOffset)
        {
            throw new InvalidOperationException($"truncation to {offset} is below the log start {StartOffset}");
        }

        if (EndOffset > offset)
        {
            TruncationCount++;
        }

        while (_batches.Count > 0 && _batches[^1].BaseOffset >= offset)
        {
            _batches.RemoveAt(_batches.Count - 1);
        }

        if (_batches.Count > 0 && _batches[^1].LastOffset >= offset)
        {
            throw new InvalidOperationException($"truncation to {offset} cuts the batch at {_batches[^1].BaseOffset}-{_batches[^1].LastOffset}");
        }

        DurableOffset = Math.Min(DurableOffset, EndOffset);
    }

    public OffsetAndEpoch EndOffsetForEpoch(int epoch)
    {
        var found = -1;
        for (var i = 0; i < _batches.Count; i++)
        {
            if (_batches[i].Epoch <= epoch)
            {
                found = i;
            }
            else
            {
                break;
            }
        }

        if (found < 0)
        {
            return new OffsetAndEpoch(-1, -1);
        }

        var foundEpoch = _batches[found].Epoch;
        var end = found + 1 < _batches.Count ? _batches[found + 1].BaseOffset : EndOffset;
        return new OffsetAndEpoch(end, foundEpoch);
    }

    public void UpdateHighWatermark(long offset) => HighWatermark = Math.Clamp(offset, StartOffset, EndOffset);

    public void Flush()
    {
        if (FlushEnabled && !FlushIsALie)
        {
            DurableOffset = EndOffset;
        }
    }

    public IRawSnapshotWriter CreateNewSnapshot(OffsetAndEpoch snapshotId) => new Writer(this, snapshotId, _generation);

    public IRawSnapshotReader? ReadSnapshot(OffsetAndEpoch snapshotId)
    {
        foreach (var (id, bytes) in _snapshots)
        {
            if (id == snapshotId)
            {
                return new Reader(id, bytes);
            }
        }

        return null;
    }

    public bool DeleteBeforeSnapshot(OffsetAndEpoch snapshotId)
    {
        if (LatestSnapshotId != snapshotId || HighWatermark < snapshotId.Offset || snapshotId.Offset <= StartOffset || snapshotId.Offset > EndOffset)
        {
            return false;
        }

        _batches.RemoveAll(e => e.LastOffset < snapshotId.Offset);
        if (_batches.Count > 0 && _batches[0].BaseOffset < snapshotId.Offset)
        {
            throw new InvalidOperationException($"snapshot {snapshotId} ends inside the batch at {_batches[0].BaseOffset}");
        }

        StartOffset = snapshotId.Offset;
        _startEpoch = snapshotId.Epoch;
        _snapshots.RemoveAll(s => s.Id != snapshotId);
        return true;
    }

    public bool TruncateToLatestSnapshot()
    {
        if (LatestSnapshotId is not { } latest
            || !(latest.Epoch > LastFetchedEpoch || latest.Epoch == LastFetchedEpoch && latest.Offset > EndOffset))
        {
            return false;
        }

        _batches.Clear();
        SnapshotInstallCount++;
        StartOffset = latest.Offset;
        _startEpoch = latest.Epoch;
        DurableOffset = latest.Offset;
        HighWatermark = latest.Offset;
        _snapshots.RemoveAll(s => s.Id != latest);
        return true;
    }

    /// <summary>A hard kill: the unflushed tail and snapshots still being written are gone; the high watermark was only in memory.</summary>
    public void Crash()
    {
        _generation++;
        while (_batches.Count > 0 && _batches[^1].LastOffset >= DurableOffset)
        {
            _batches.RemoveAt(_batches.Count - 1);
        }

        DurableOffset = EndOffset;
        HighWatermark = StartOffset;
    }

    public void Dispose()
    {
    }

    private static List<ReadOnlyMemory<byte>> SplitWhole(ReadOnlyMemory<byte> batches)
    {
        var split = RaftBatches.Split(batches, out var consumed);
        if (consumed != batches.Length || split.Count == 0)
        {
            throw new InvalidOperationException($"{batches.Length} bytes are not whole record batches");
        }

        return split;
    }

    private void Add(byte[] batch)
    {
        var epoch = RecordBatch.GetPartitionLeaderEpoch(batch);
        if (epoch < LastFetchedEpoch)
        {
            throw new InvalidOperationException($"a batch of epoch {epoch} after one of epoch {LastFetchedEpoch}");
        }

        if (!RecordBatch.IsCrcValid(batch))
        {
            throw new InvalidOperationException("a batch with a bad CRC");
        }

        _batches.Add(new Entry(RecordBatch.GetBaseOffset(batch), RecordBatch.GetLastOffset(batch), epoch, batch));
    }

    private void AddSnapshot(OffsetAndEpoch id, byte[] bytes, int generation)
    {
        if (generation != _generation)
        {
            throw new InvalidOperationException($"snapshot {id} was being written when the node crashed");
        }

        _snapshots.RemoveAll(s => s.Id == id);
        _snapshots.Add((id, bytes));
        _snapshots.Sort(static (a, b) => a.Id.Offset != b.Id.Offset ? a.Id.Offset.CompareTo(b.Id.Offset) : a.Id.Epoch.CompareTo(b.Id.Epoch));
    }

    private sealed record Entry(long BaseOffset, long LastOffset, int Epoch, byte[] Bytes);

    private sealed class Writer(MemoryRaftLog log, OffsetAndEpoch snapshotId, int generation) : IRawSnapshotWriter
    {
        private readonly List<byte> _bytes = [];
        private bool _frozen;

        public OffsetAndEpoch SnapshotId => snapshotId;

        public long SizeInBytes => _bytes.Count;

        public void Append(ReadOnlyMemory<byte> batches)
        {
            if (_frozen)
            {
                throw new InvalidOperationException("append to a frozen snapshot");
            }

            // The contract: whole batches only, so a reader can walk the snapshot from any batch it reached.
            SplitWhole(batches);
            _bytes.AddRange(batches.Span);
        }

        public void Freeze()
        {
            _frozen = true;
            log.AddSnapshot(snapshotId, [.. _bytes], generation);
        }

        public void Dispose()
        {
        }
    }

    private sealed class Reader(OffsetAndEpoch snapshotId, byte[] bytes) : IRawSnapshotReader
    {
        public OffsetAndEpoch SnapshotId => snapshotId;

        public long SizeInBytes => bytes.Length;

        public ReadOnlyMemory<byte> Slice(long position, int maxBytes) =>
            bytes.AsMemory((int)position, (int)Math.Min(maxBytes, bytes.Length - position));

        public void Dispose()
        {
        }
    }
}
