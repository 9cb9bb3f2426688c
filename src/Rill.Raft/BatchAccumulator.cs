using Rill.Common;

namespace Rill.Raft;

/// <summary>
/// The leader's appends waiting for the poll thread (kafka: <c>BatchAccumulator</c>). Any thread may append; each
/// append becomes one batch at the next offsets, so its offsets are known at once. The poll thread drains the batches
/// when the linger time of the oldest has passed, appends them to the log and flushes once for all of them.
/// </summary>
internal sealed class BatchAccumulator
{
    private readonly Lock _lock = new();
    private readonly int _lingerMs;
    private List<byte[]> _pending = [];
    private long _nextOffset;
    private long _firstPendingMs = -1;
    private bool _closed;

    public BatchAccumulator(int epoch, long nextOffset, int lingerMs)
    {
        Epoch = epoch;
        _nextOffset = nextOffset;
        _lingerMs = lingerMs;
    }

    public int Epoch { get; }

    /// <summary>Builds the batch and returns the offset of its last record; true in <paramref name="wakeUp"/> when the poll thread should look now.</summary>
    public long Append(int epoch, IReadOnlyList<ReadOnlyMemory<byte>> records, long nowMs, long wallNowMs, out bool wakeUp)
    {
        if (records.Count == 0)
        {
            throw new ArgumentException("an append needs at least one record", nameof(records));
        }

        lock (_lock)
        {
            if (_closed || epoch != Epoch)
            {
                throw new NotLeaderException(
                    $"this node does not lead epoch {epoch}{(_closed ? "" : $" (it leads epoch {Epoch})")}");
            }

            var batch = RaftBatches.BuildData(_nextOffset, epoch, wallNowMs, records);
            if (batch.Length > RaftBatches.MaxBatchSizeBytes)
            {
                throw new KafkaException(ErrorCode.MessageTooLarge,
                    $"a metadata batch of {batch.Length} bytes exceeds the limit of {RaftBatches.MaxBatchSizeBytes}");
            }

            _nextOffset += records.Count;
            _pending.Add(batch);
            wakeUp = _firstPendingMs < 0 || _lingerMs == 0;
            if (_firstPendingMs < 0)
            {
                _firstPendingMs = nowMs;
            }

            return _nextOffset - 1;
        }
    }

    /// <summary>Milliseconds until the pending batches are due; <see cref="long.MaxValue"/> when there are none.</summary>
    public long TimeUntilDrainMs(long nowMs)
    {
        lock (_lock)
        {
            return _firstPendingMs < 0 ? long.MaxValue : Math.Max(0, _firstPendingMs + _lingerMs - nowMs);
        }
    }

    public List<byte[]> Drain()
    {
        lock (_lock)
        {
            var drained = _pending;
            _pending = [];
            _firstPendingMs = -1;
            return drained;
        }
    }

    /// <summary>Leadership ended: later appends throw, pending batches are dropped (they never reach the log, so never commit).</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            _pending = [];
            _firstPendingMs = -1;
        }
    }
}
