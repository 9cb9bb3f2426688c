using Rill.Common;
using Rill.Coordinator.Records;
using Rill.Protocol.Records;

namespace Rill.Coordinator.Tests;

/// <summary>
/// __consumer_offsets partitions in memory: appends assign offsets like a log, can be made to fail, and reads can
/// be held back to observe a partition while it loads.
/// </summary>
internal sealed class InMemoryCoordinatorLog : ICoordinatorLog
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, List<byte[]>> _batches = [];
    private readonly Dictionary<int, long> _nextOffsets = [];

    /// <summary>When set, appends fail with this code and store nothing.</summary>
    public ErrorCode? FailAppendsWith { get; set; }

    /// <summary>When set, reads wait for it (blocking the loading thread, as a slow disk would).</summary>
    public ManualResetEventSlim? ReadGate { get; set; }

    public int AppendCount { get; private set; }

    /// <summary>When set, appends to that partition wait for the task (a slow disk under one partition).</summary>
    public (int Partition, Task Release)? BlockedAppends { get; set; }

    public async ValueTask<CoordinatorAppendResult> AppendAsync(int partition, ReadOnlyMemory<byte> batch, CancellationToken cancellationToken)
    {
        if (BlockedAppends is { } blocked && blocked.Partition == partition)
        {
            await blocked.Release.WaitAsync(cancellationToken);
        }

        return Append(partition, batch);
    }

    private CoordinatorAppendResult Append(int partition, ReadOnlyMemory<byte> batch)
    {
        lock (_lock)
        {
            if (FailAppendsWith is { } error)
            {
                return CoordinatorAppendResult.Failed(error);
            }

            var copy = batch.ToArray();
            var baseOffset = _nextOffsets.GetValueOrDefault(partition);
            RecordBatch.SetBaseOffset(copy, baseOffset);
            if (!_batches.TryGetValue(partition, out var batches))
            {
                batches = [];
                _batches.Add(partition, batches);
            }

            batches.Add(copy);
            _nextOffsets[partition] = RecordBatch.GetNextOffset(copy);
            AppendCount++;
            return CoordinatorAppendResult.Appended(baseOffset);
        }
    }

    public CoordinatorReadResult Read(int partition, long offset, int maxBytes)
    {
        ReadGate?.Wait(TimeSpan.FromSeconds(30));
        lock (_lock)
        {
            var selected = new List<byte[]>();
            var size = 0;
            foreach (var batch in _batches.GetValueOrDefault(partition) ?? [])
            {
                if (RecordBatch.GetBaseOffset(batch) < offset)
                {
                    continue;
                }

                if (selected.Count > 0 && size + batch.Length > maxBytes)
                {
                    break;
                }

                selected.Add(batch);
                size += batch.Length;
            }

            if (selected.Count == 0)
            {
                return CoordinatorReadResult.Of(ReadOnlyMemory<byte>.Empty, offset, owner: null);
            }

            var bytes = selected.SelectMany(b => b).ToArray();
            return CoordinatorReadResult.Of(bytes, RecordBatch.GetNextOffset(selected[^1]), owner: null);
        }
    }

    /// <summary>Every record written to <paramref name="partition"/>, decoded, in log order.</summary>
    public List<CoordinatorRecord> Records(int partition)
    {
        var records = new List<CoordinatorRecord>();
        lock (_lock)
        {
            foreach (var batch in _batches.GetValueOrDefault(partition) ?? [])
            {
                var reader = new RecordReader(batch, int.MaxValue);
                while (reader.TryReadNext(out var record))
                {
                    records.Add(CoordinatorRecordSerde.Deserialize(record.Key, record.Value, record.IsValueNull)!);
                }

                reader.Dispose();
            }
        }

        return records;
    }

    /// <summary>The raw key and value bytes of every record of <paramref name="partition"/>.</summary>
    public List<(byte[] Key, byte[]? Value)> RawRecords(int partition)
    {
        var records = new List<(byte[], byte[]?)>();
        lock (_lock)
        {
            foreach (var batch in _batches.GetValueOrDefault(partition) ?? [])
            {
                var reader = new RecordReader(batch, int.MaxValue);
                while (reader.TryReadNext(out var record))
                {
                    records.Add((record.Key.ToArray(), record.IsValueNull ? null : record.Value.ToArray()));
                }

                reader.Dispose();
            }
        }

        return records;
    }
}
