namespace Rill.Server.Network;

/// <summary>
/// <c>queued.max.request.bytes</c>: the bytes of request frames read and not yet answered, across every connection.
/// A session takes a frame's bytes before starting it and gives them back once its answer is written; when taking
/// them would pass the limit it stops reading (TCP then pushes back on the client) until enough is given back.
/// A connection holding nothing may always take one frame, as Kafka's memory pool lets one request overdraw it:
/// so a frame larger than the limit still passes, and clients whose held requests wait on another connection's
/// (a long-poll Fetch waiting for a Produce) cannot stall each other: such a frame also goes ahead of any waiting
/// ones. Waiters are otherwise served first come, first served.
/// </summary>
public sealed class RequestBudget
{
    /// <summary>No limit (-1, Kafka's default): taking never waits.</summary>
    public static readonly RequestBudget Unlimited = new(-1);

    private readonly long _limit;
    private readonly Lock _lock = new();
    private readonly Queue<Waiter> _waiters = new();
    private long _held;

    public RequestBudget(long limit) => _limit = limit;

    public bool IsLimited => _limit > 0;

    /// <summary>Bytes taken and not yet given back.</summary>
    public long Held
    {
        get
        {
            lock (_lock)
            {
                return _held;
            }
        }
    }

    /// <summary>Takes <paramref name="bytes"/> for a connection that holds <paramref name="connectionHeld"/> bytes already, waiting while they do not fit.</summary>
    public ValueTask TakeAsync(int bytes, long connectionHeld, CancellationToken cancellationToken)
    {
        if (!IsLimited)
        {
            return ValueTask.CompletedTask;
        }

        Waiter waiter;
        lock (_lock)
        {
            // A connection holding nothing goes ahead of any queue: waiting behind frames that wait on it would stall both.
            if (connectionHeld == 0 || (_waiters.Count == 0 && Fits(bytes, connectionHeld)))
            {
                _held += bytes;
                return ValueTask.CompletedTask;
            }

            waiter = new Waiter(bytes, connectionHeld);
            _waiters.Enqueue(waiter);
        }

        return WaitAsync(waiter, cancellationToken);
    }

    /// <summary>Gives back bytes taken with <see cref="TakeAsync"/> and lets waiting frames in, in order, while they fit.</summary>
    public void Release(int bytes)
    {
        if (!IsLimited)
        {
            return;
        }

        lock (_lock)
        {
            _held -= bytes;
            while (_waiters.TryPeek(out var next))
            {
                if (next.Granted.Task.IsCompleted)
                {
                    _waiters.Dequeue();
                    continue;
                }

                if (!Fits(next.Bytes, next.ConnectionHeld))
                {
                    break;
                }

                _waiters.Dequeue();
                _held += next.Bytes;
                next.Granted.TrySetResult();
            }
        }
    }

    private bool Fits(int bytes, long connectionHeld) => connectionHeld == 0 || _held + bytes <= _limit;

    private async ValueTask WaitAsync(Waiter waiter, CancellationToken cancellationToken)
    {
        // Granting and cancelling both happen under the lock, so exactly one of them wins: bytes are never taken
        // for a connection that has stopped waiting.
        await using var registration = cancellationToken.Register(() =>
        {
            lock (_lock)
            {
                waiter.Granted.TrySetCanceled(cancellationToken);
            }
        });
        await waiter.Granted.Task;
    }

    private sealed class Waiter(int bytes, long connectionHeld)
    {
        public int Bytes { get; } = bytes;

        public long ConnectionHeld { get; } = connectionHeld;

        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
