namespace Rill.Cli.Perf.Librdkafka;

/// <summary>
/// The send timestamps of one partition's records awaiting delivery reports, oldest first. librdkafka reports a
/// partition's deliveries in the order the records were produced, so the head of this queue is the send time of
/// the record a report is about: no per-record callback state (a closure per record) is needed. A growable ring
/// under a lock: the producing thread adds at the tail, librdkafka's delivery thread takes from the head.
/// </summary>
internal sealed class SendTimes
{
    private readonly Lock _lock = new();
    private long[] _ring = new long[1024];
    private int _head;
    private int _count;

    public void Enqueue(long timestamp)
    {
        lock (_lock)
        {
            if (_count == _ring.Length)
            {
                var larger = new long[_ring.Length * 2];
                for (var i = 0; i < _count; i++)
                {
                    larger[i] = _ring[(_head + i) % _ring.Length];
                }

                _ring = larger;
                _head = 0;
            }

            _ring[(_head + _count) % _ring.Length] = timestamp;
            _count++;
        }
    }

    /// <summary>Takes back the newest timestamp: its record was not accepted after all (local queue full).</summary>
    public void RemoveLast()
    {
        lock (_lock)
        {
            _count--;
        }
    }

    /// <summary>The oldest timestamp, or null if none is waiting (a report this producer cannot match).</summary>
    public long? Dequeue()
    {
        lock (_lock)
        {
            if (_count == 0)
            {
                return null;
            }

            var timestamp = _ring[_head];
            _head = (_head + 1) % _ring.Length;
            _count--;
            return timestamp;
        }
    }
}
