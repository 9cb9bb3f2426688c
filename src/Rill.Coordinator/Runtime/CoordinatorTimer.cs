namespace Rill.Coordinator.Runtime;

/// <summary>
/// Keyed timers whose expirations run as operations on a partition's event loop (Kafka's coordinator timer).
/// Scheduling a key again replaces its previous timer; an expiration queued before it was replaced or cancelled
/// is recognised by its sequence number and ignored. Used only from the loop, except the timer callbacks, which
/// only post.
/// </summary>
internal sealed class CoordinatorTimer
{
    private readonly TimeProvider _time;
    private readonly CoordinatorEventLoop _loop;
    private readonly Action<TimerKey, Exception> _failed;
    private readonly Dictionary<TimerKey, Entry> _entries = [];
    private long _sequence;

    /// <param name="failed">Told about an expiration that threw: nobody awaits it, so it would go unnoticed otherwise.</param>
    public CoordinatorTimer(TimeProvider time, CoordinatorEventLoop loop, Action<TimerKey, Exception> failed)
    {
        _time = time;
        _loop = loop;
        _failed = failed;
    }

    /// <summary>Runs <paramref name="operation"/> on the loop after <paramref name="delayMs"/>, replacing the key's previous timer.</summary>
    public void Schedule(TimerKey key, long delayMs, Func<ValueTask> operation)
    {
        Cancel(key);
        var sequence = ++_sequence;
        var entry = new Entry(sequence, operation);
        _entries[key] = entry;
        entry.Timer = _time.CreateTimer(
            _ => _loop.TryPost(() => FireAsync(key, sequence)),
            null,
            TimeSpan.FromMilliseconds(Math.Max(delayMs, 0)),
            Timeout.InfiniteTimeSpan);
    }

    public void Cancel(TimerKey key)
    {
        if (_entries.Remove(key, out var entry))
        {
            entry.Timer?.Dispose();
        }
    }

    /// <summary>Cancels every timer of <paramref name="groupId"/> (the group was removed).</summary>
    public void CancelGroup(string groupId)
    {
        List<TimerKey>? keys = null;
        foreach (var key in _entries.Keys)
        {
            if (key.GroupId == groupId)
            {
                (keys ??= []).Add(key);
            }
        }

        if (keys is not null)
        {
            foreach (var key in keys)
            {
                Cancel(key);
            }
        }
    }

    public void CancelAll()
    {
        foreach (var entry in _entries.Values)
        {
            entry.Timer?.Dispose();
        }

        _entries.Clear();
    }

    private async ValueTask<bool> FireAsync(TimerKey key, long sequence)
    {
        if (!_entries.TryGetValue(key, out var entry) || entry.Sequence != sequence)
        {
            return false;
        }

        _entries.Remove(key);
        entry.Timer?.Dispose();
        try
        {
            await entry.Operation();
        }
        catch (Exception exception)
        {
            _failed(key, exception);
        }

        return true;
    }

    private sealed class Entry
    {
        public Entry(long sequence, Func<ValueTask> operation)
        {
            Sequence = sequence;
            Operation = operation;
        }

        public long Sequence { get; }

        public Func<ValueTask> Operation { get; }

        public ITimer? Timer { get; set; }
    }
}
