namespace Rill.Raft;

/// <summary>
/// Wakes the driver loop early: a request, a response or an append arrived, or the poll timer fired. A signal that
/// comes while nobody waits is kept for the next wait, so none is lost between a poll and the wait after it.
/// </summary>
internal sealed class PollWakeup
{
    private readonly Lock _lock = new();
    private TaskCompletionSource? _waiter;
    private bool _signaled;

    public void Signal()
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            _signaled = true;
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult();
    }

    /// <summary>Completes at the next signal, or at once if one came since the last wait.</summary>
    public Task WaitAsync()
    {
        lock (_lock)
        {
            if (_signaled)
            {
                _signaled = false;
                return Task.CompletedTask;
            }

            _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiter.Task;
        }
    }

    /// <summary>The signal is consumed by the poll that is about to run.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _signaled = false;
        }
    }
}
