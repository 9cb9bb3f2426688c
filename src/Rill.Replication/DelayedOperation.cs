namespace Rill.Replication;

/// <summary>
/// An operation that waits in a <see cref="DelayedOperationPurgatory"/> until it can complete (an append, a high
/// watermark move, a leadership change lets <see cref="TryCompleteLocked"/> succeed), its timeout passes or the request
/// is cancelled, whichever comes first; it completes exactly once (kafka: <c>DelayedOperation</c>). Every attempt runs
/// under the operation's own lock, so an append on one thread and a timeout on another never complete it twice.
/// </summary>
public abstract class DelayedOperation
{
    private readonly Lock _lock = new();
    private int _completed;
    private ITimer? _timer;
    private CancellationTokenRegistration _cancellation;

    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    /// <summary>Set by the purgatory that watches the operation, so it is forgotten once complete.</summary>
    internal Action<DelayedOperation>? OnCompleted { get; set; }

    /// <summary>Tries to complete now; true when the operation is (or already was) complete.</summary>
    public bool MaybeTryComplete()
    {
        if (IsCompleted)
        {
            return true;
        }

        lock (_lock)
        {
            return IsCompleted || TryCompleteLocked();
        }
    }

    /// <summary>Starts the timeout clock from the injected time provider, and ends the wait with the request's token.</summary>
    internal void Arm(TimeProvider time, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var timer = time.CreateTimer(static state => ((DelayedOperation)state!).Expire(), this, timeout, Timeout.InfiniteTimeSpan);
        Volatile.Write(ref _timer, timer);
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.Register(static state => ((DelayedOperation)state!).Cancel(), this);
        }

        if (IsCompleted)
        {
            Release();
        }
    }

    /// <summary>Under the lock: checks whether the operation can complete, and if so calls <see cref="ForceComplete"/>.</summary>
    protected abstract bool TryCompleteLocked();

    /// <summary>Under the lock, once: the timeout passed; answer with what there is.</summary>
    protected abstract void OnExpired();

    /// <summary>Under the lock, once: the request was cancelled (connection closed, shutdown).</summary>
    protected abstract void OnCancelled();

    /// <summary>Marks the operation complete; false when something else completed it first.</summary>
    protected bool ForceComplete()
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }

        Release();
        OnCompleted?.Invoke(this);
        return true;
    }

    private void Expire()
    {
        lock (_lock)
        {
            if (ForceComplete())
            {
                OnExpired();
            }
        }
    }

    private void Cancel()
    {
        lock (_lock)
        {
            if (ForceComplete())
            {
                OnCancelled();
            }
        }
    }

    private void Release()
    {
        Interlocked.Exchange(ref _timer, null)?.Dispose();
        _cancellation.Dispose();
    }
}
