using Microsoft.Extensions.Time.Testing;

namespace Rill.Raft.Tests;

/// <summary>
/// A fake clock that also says when a timer was armed, so that a test moves time only once the driver sleeps on it
/// (a move before the timer is armed would be measured from the new time and never fire).
/// </summary>
internal sealed class TestClock : FakeTimeProvider
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _armed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TestClock(DateTimeOffset start)
        : base(start)
    {
    }

    /// <summary>Completes when a timer is next armed with a finite due time.</summary>
    public Task NextArmedAsync()
    {
        lock (_lock)
        {
            return _armed.Task;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ObservedTimer(this, base.CreateTimer(callback, state, dueTime, period));

    private void OnArmed()
    {
        TaskCompletionSource armed;
        lock (_lock)
        {
            armed = _armed;
            _armed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        armed.TrySetResult();
    }

    private sealed class ObservedTimer(TestClock clock, ITimer inner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = inner.Change(dueTime, period);
            if (dueTime != global::System.Threading.Timeout.InfiniteTimeSpan)
            {
                clock.OnArmed();
            }

            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
