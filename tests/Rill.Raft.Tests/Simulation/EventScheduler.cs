namespace Rill.Raft.Tests.Simulation;

/// <summary>
/// The one source of order in a simulation (kafka: <c>RaftEventSimulationTest.EventScheduler</c>): events by time, then
/// by the order they were scheduled, and one seeded random for every choice, so a seed replays exactly.
/// </summary>
internal sealed class EventScheduler
{
    private readonly PriorityQueue<Action, (long TimeMs, long Sequence)> _queue = new();
    private long _sequence;

    public EventScheduler(int seed)
    {
        Random = new Random(seed);
    }

    public SimulatedTime Time { get; } = new();

    public Random Random { get; }

    public long EventsRun { get; private set; }

    public long NowMs => Time.NowMs;

    public void At(long timeMs, Action action) => _queue.Enqueue(action, (Math.Max(timeMs, Time.NowMs), _sequence++));

    public void After(long delayMs, Action action) => At(Time.NowMs + delayMs, action);

    /// <summary>Runs the next event; false when none is left.</summary>
    public bool RunNext()
    {
        if (!_queue.TryDequeue(out var action, out var key))
        {
            return false;
        }

        Time.AdvanceTo(key.TimeMs);
        EventsRun++;
        action();
        return true;
    }

    public long? NextEventTimeMs => _queue.TryPeek(out _, out var key) ? key.TimeMs : null;
}
