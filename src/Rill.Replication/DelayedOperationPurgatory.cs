using Rill.Common;

namespace Rill.Replication;

/// <summary>
/// Delayed operations keyed by the partitions they wait on (kafka: <c>DelayedOperationPurgatory</c>). Whoever changes
/// a partition (an append, a high watermark move, a leadership change, a removal) calls <see cref="CheckAndComplete"/>
/// with it; each operation waiting there tries again. Completed operations leave every key they watched at once.
/// </summary>
public sealed class DelayedOperationPurgatory
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TopicPartition, List<DelayedOperation>> _watchers = [];
    private readonly Dictionary<DelayedOperation, IReadOnlyList<TopicPartition>> _keys = [];
    private readonly TimeProvider _time;
    private int _watched;

    public DelayedOperationPurgatory(string name, TimeProvider time)
    {
        Name = name;
        _time = time;
    }

    public string Name { get; }

    /// <summary>Operations waiting.</summary>
    public int Delayed => Volatile.Read(ref _watched);

    /// <summary>
    /// Completes <paramref name="operation"/> now if it can; otherwise watches it under <paramref name="keys"/> until it
    /// completes, <paramref name="timeout"/> passes or <paramref name="cancellationToken"/> fires. True when it completed
    /// here. It is tried once more after it is watched, so a change between the first try and the watch is not missed.
    /// </summary>
    public bool TryCompleteElseWatch(DelayedOperation operation, IReadOnlyList<TopicPartition> keys, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (operation.MaybeTryComplete())
        {
            return true;
        }

        lock (_lock)
        {
            _keys[operation] = keys;
            foreach (var key in keys)
            {
                if (!_watchers.TryGetValue(key, out var list))
                {
                    _watchers[key] = list = [];
                }

                list.Add(operation);
            }

            operation.OnCompleted = Unwatch;
            Volatile.Write(ref _watched, _keys.Count);
        }

        if (operation.MaybeTryComplete())
        {
            return true;
        }

        operation.Arm(_time, timeout, cancellationToken);
        return false;
    }

    /// <summary>Lets every operation waiting on <paramref name="key"/> try to complete; returns how many did.</summary>
    public int CheckAndComplete(TopicPartition key)
    {
        if (Volatile.Read(ref _watched) == 0)
        {
            return 0;
        }

        DelayedOperation[] waiting;
        lock (_lock)
        {
            if (!_watchers.TryGetValue(key, out var list))
            {
                return 0;
            }

            waiting = [.. list];
        }

        var completed = 0;
        foreach (var operation in waiting)
        {
            if (operation.MaybeTryComplete())
            {
                completed++;
            }
        }

        return completed;
    }

    private void Unwatch(DelayedOperation operation)
    {
        lock (_lock)
        {
            if (!_keys.Remove(operation, out var keys))
            {
                return;
            }

            foreach (var key in keys)
            {
                if (_watchers.TryGetValue(key, out var list) && list.Remove(operation) && list.Count == 0)
                {
                    _watchers.Remove(key);
                }
            }

            Volatile.Write(ref _watched, _keys.Count);
        }
    }
}
