using System.Threading.Channels;
using Rill.Common;

namespace Rill.Coordinator.Runtime;

/// <summary>
/// One __consumer_offsets partition's event loop: operations run one at a time, in submission order, on the thread
/// pool. Everything a partition's groups and offsets hold is touched only from here, so the state needs no locks;
/// partitions have their own loops and never wait on each other.
/// </summary>
/// <remarks>
/// An operation may await its append to the log: the loop then runs nothing else for this partition until the
/// write is committed, which is how "no state changes until the records are committed" holds without a
/// speculative copy of the state. Waits that last (a JoinGroup until the rebalance completes) are not awaited
/// here: operations return the task to wait on and the caller awaits it outside the loop.
/// </remarks>
internal sealed class CoordinatorEventLoop
{
    private readonly Channel<WorkItem> _queue = Channel.CreateUnbounded<WorkItem>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

    private readonly Task _loop;

    public CoordinatorEventLoop()
    {
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Completes when the loop has stopped after <see cref="Complete"/>.</summary>
    public Task Completion => _loop;

    /// <summary>
    /// Queues <paramref name="operation"/> and completes with its result once it ran. Fails with NOT_COORDINATOR
    /// when the loop no longer accepts work (the partition was resigned).
    /// </summary>
    public Task<T> SubmitAsync<T>(Func<ValueTask<T>> operation)
    {
        var item = new WorkItem<T>(operation);
        return _queue.Writer.TryWrite(item)
            ? item.Task
            : Task.FromException<T>(new KafkaException(ErrorCode.NotCoordinator, "The coordinator partition was unloaded."));
    }

    /// <summary>Queues work whose outcome nobody waits for (timer expirations); false once the loop stopped.</summary>
    public bool TryPost(Func<ValueTask<bool>> operation) => _queue.Writer.TryWrite(new WorkItem<bool>(operation));

    /// <summary>Stops accepting work; queued operations still run, then <see cref="Completion"/> completes.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var item))
            {
                await item.RunAsync();
            }
        }
    }

    private abstract class WorkItem
    {
        public abstract Task RunAsync();
    }

    private sealed class WorkItem<T> : WorkItem
    {
        private readonly Func<ValueTask<T>> _operation;
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public WorkItem(Func<ValueTask<T>> operation)
        {
            _operation = operation;
        }

        public Task<T> Task => _completion.Task;

        public override async Task RunAsync()
        {
            try
            {
                _completion.TrySetResult(await _operation());
            }
            catch (Exception exception)
            {
                _completion.TrySetException(exception);
            }
        }
    }
}
