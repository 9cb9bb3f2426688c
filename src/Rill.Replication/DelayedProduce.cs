using Rill.Common;

namespace Rill.Replication;

/// <summary>
/// An acks=-1 Produce waiting until the high watermark of every partition it wrote passes its records (kafka:
/// <c>DelayedProduce</c>). Partitions still waiting when the timeout passes answer REQUEST_TIMED_OUT; their records
/// stay in the log, as in Kafka.
/// </summary>
internal sealed class DelayedProduce : DelayedOperation
{
    private readonly ReplicaManager _replicas;
    private readonly IReadOnlyList<AppendEntry> _entries;
    private readonly PartitionAppendResult[] _results;
    private readonly long[] _requiredOffsets;
    private readonly TaskCompletionSource<PartitionAppendResult[]> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="requiredOffsets">Per entry, the offset the high watermark must reach; -1 for entries not waiting.</param>
    public DelayedProduce(ReplicaManager replicas, IReadOnlyList<AppendEntry> entries, PartitionAppendResult[] results, long[] requiredOffsets)
    {
        _replicas = replicas;
        _entries = entries;
        _results = results;
        _requiredOffsets = requiredOffsets;
    }

    public Task<PartitionAppendResult[]> Task => _completion.Task;

    protected override bool TryCompleteLocked()
    {
        if (AnyPending(_replicas, _entries, _results, _requiredOffsets) || !ForceComplete())
        {
            return false;
        }

        _completion.TrySetResult(_results);
        return true;
    }

    /// <summary>
    /// Settles every partition whose wait is over (its required offset becomes -1, its result takes the error if
    /// any); true while some partition still waits. Also the fast path before a delayed produce is made at all.
    /// </summary>
    public static bool AnyPending(ReplicaManager replicas, IReadOnlyList<AppendEntry> entries, PartitionAppendResult[] results, long[] requiredOffsets)
    {
        var pending = false;
        for (var i = 0; i < requiredOffsets.Length; i++)
        {
            if (requiredOffsets[i] < 0)
            {
                continue;
            }

            var (done, error) = replicas.TryGetPartition(entries[i].TopicPartition, out var partition)
                ? partition.CheckEnoughReplicasReachOffset(requiredOffsets[i])
                : (true, ErrorCode.NotLeaderOrFollower);
            if (!done)
            {
                pending = true;
                continue;
            }

            requiredOffsets[i] = -1;
            if (error != ErrorCode.None)
            {
                results[i] = results[i] with { ErrorCode = error, ErrorMessage = null };
            }
        }

        return pending;
    }

    protected override void OnExpired()
    {
        for (var i = 0; i < _requiredOffsets.Length; i++)
        {
            if (_requiredOffsets[i] >= 0)
            {
                _results[i] = _results[i] with { ErrorCode = ErrorCode.RequestTimedOut, ErrorMessage = null };
            }
        }

        _completion.TrySetResult(_results);
    }

    protected override void OnCancelled() => _completion.TrySetCanceled();
}
