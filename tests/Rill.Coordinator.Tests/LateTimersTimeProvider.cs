namespace Rill.Coordinator.Tests;

/// <summary>
/// A clock that reads <paramref name="clock"/> and whose timers fire through it, except that while <see cref="Holding"/>
/// their callbacks are held back until <see cref="Release"/>: a timer thread or thread pool that is late, as on a busy
/// machine, so that tests can show that what requests see does not depend on when timer callbacks arrive.
/// </summary>
internal sealed class LateTimersTimeProvider(TimeProvider clock) : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<(TimerCallback Callback, object? State)> _held = [];

    /// <summary>While true, timer callbacks are held back instead of run.</summary>
    public bool Holding { get; set; }

    public override long TimestampFrequency => clock.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => clock.LocalTimeZone;

    public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

    public override long GetTimestamp() => clock.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        clock.CreateTimer(Deliver, (callback, state), dueTime, period);

    /// <summary>Stops holding and runs the held callbacks, late, in the order they fired.</summary>
    public void Release()
    {
        List<(TimerCallback Callback, object? State)> held;
        lock (_lock)
        {
            Holding = false;
            held = [.. _held];
            _held.Clear();
        }

        foreach (var (callback, state) in held)
        {
            callback(state);
        }
    }

    private void Deliver(object? boxed)
    {
        var (callback, state) = ((TimerCallback, object?))boxed!;
        lock (_lock)
        {
            if (Holding)
            {
                _held.Add((callback, state));
                return;
            }
        }

        callback(state);
    }
}
