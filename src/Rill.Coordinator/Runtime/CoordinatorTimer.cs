namespace Rill.Coordinator.Runtime;

/// <summary>
/// Keyed timers whose expirations run as operations on a partition's event loop (Kafka's coordinator timer).
/// Scheduling a key again replaces its previous timer; an expiration queued before it was replaced or cancelled
/// is recognised by its sequence number and ignored. Used only from the loop, except the timer callbacks, which
/// only post.
/// </summary>
/// <remarks>
/// A timer callback reaches the loop late when the machine is busy (the timer thread, then the thread pool), and
/// a request queued meanwhile would see state that should already have expired: a member whose session ended
/// still in its group, so DeleteGroups answers NON_EMPTY_GROUP. <see cref="RunDueAsync"/> runs every expiration
/// that is due, in deadline order, before such a request, so that what a request sees depends on the clock only.
/// </remarks>
internal sealed class CoordinatorTimer
{
    /// <summary>The longest delay a .NET timer takes; it also keeps the deadline's timestamp arithmetic from overflowing.</summary>
    private const long MaxDelayMs = uint.MaxValue - 1;

    /// <summary>How many stale deadlines beyond twice the live entries are kept before they are dropped.</summary>
    private const int CompactionSlack = 64;

    private readonly TimeProvider _time;
    private readonly CoordinatorEventLoop _loop;
    private readonly Action<TimerKey, Exception> _failed;
    private readonly Dictionary<TimerKey, Entry> _entries = [];

    // Every scheduled entry by deadline; a cancelled or replaced one stays until its deadline passes and is skipped.
    private readonly PriorityQueue<(TimerKey Key, Entry Entry), (long DueTimestamp, long Sequence)> _deadlines = new();
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
        delayMs = Math.Clamp(delayMs, 0, MaxDelayMs);
        var entry = new Entry(sequence, _time.GetTimestamp() + (delayMs * _time.TimestampFrequency / 1000), operation);
        _entries[key] = entry;
        if (_deadlines.Count >= (2 * _entries.Count) + CompactionSlack)
        {
            CompactDeadlines();
        }

        _deadlines.Enqueue((key, entry), (entry.DueTimestamp, sequence));
        entry.Timer = _time.CreateTimer(
            _ => _loop.TryPost(() => FireAsync(key, sequence)),
            null,
            TimeSpan.FromMilliseconds(delayMs),
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
        _deadlines.Clear();
    }

    /// <summary>
    /// Runs, in deadline order, the expirations whose deadline has passed; those they schedule wait for their own
    /// deadline. Called on the loop before an operation that must not see state that should already have expired.
    /// </summary>
    public ValueTask RunDueAsync() => RunDueAsync(_time.GetTimestamp());

    /// <summary>A timer fired: its expiration runs, after the ones due before it (their callbacks may still be on the way).</summary>
    private async ValueTask<bool> FireAsync(TimerKey key, long sequence)
    {
        if (!_entries.TryGetValue(key, out var entry) || entry.Sequence != sequence)
        {
            return false;
        }

        // The timer's own clock says the entry is due, even if this one reads a tick earlier.
        await RunDueAsync(Math.Max(_time.GetTimestamp(), entry.DueTimestamp));
        return true;
    }

    private async ValueTask RunDueAsync(long nowTimestamp)
    {
        List<(TimerKey Key, Entry Entry)>? due = null;
        while (_deadlines.TryPeek(out var deadline, out var when) && when.DueTimestamp <= nowTimestamp)
        {
            _deadlines.Dequeue();
            if (IsCurrent(deadline.Key, deadline.Entry))
            {
                (due ??= []).Add(deadline);
            }
        }

        if (due is null)
        {
            return;
        }

        foreach (var (key, entry) in due)
        {
            // An earlier expiration may have cancelled or replaced this one.
            if (!IsCurrent(key, entry))
            {
                continue;
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
        }
    }

    /// <summary>
    /// Drops the deadlines of cancelled and replaced entries: every heartbeat replaces a member's session timer, and
    /// the old deadlines would otherwise pile up until they pass.
    /// </summary>
    private void CompactDeadlines()
    {
        _deadlines.Clear();
        foreach (var (key, entry) in _entries)
        {
            _deadlines.Enqueue((key, entry), (entry.DueTimestamp, entry.Sequence));
        }
    }

    private bool IsCurrent(TimerKey key, Entry entry) => _entries.TryGetValue(key, out var current) && current == entry;

    private sealed class Entry
    {
        public Entry(long sequence, long dueTimestamp, Func<ValueTask> operation)
        {
            Sequence = sequence;
            DueTimestamp = dueTimestamp;
            Operation = operation;
        }

        public long Sequence { get; }

        /// <summary>The deadline on <see cref="TimeProvider.GetTimestamp"/>'s monotonic clock.</summary>
        public long DueTimestamp { get; }

        public Func<ValueTask> Operation { get; }

        public ITimer? Timer { get; set; }
    }
}
