using Microsoft.Extensions.Time.Testing;
using Rill.Common;

namespace Rill.Replication.Tests;

public sealed class DelayedOperationPurgatoryTests
{
    private static readonly TopicPartition A = new("a", 0);
    private static readonly TopicPartition B = new("b", 0);

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void TryCompleteElseWatch_CompletableNow_CompletesWithoutWatching()
    {
        var purgatory = new DelayedOperationPurgatory("test", _time);
        var operation = new TestOperation { CanComplete = true };

        Assert.True(purgatory.TryCompleteElseWatch(operation, [A], TimeSpan.FromSeconds(1), CancellationToken.None));

        Assert.Equal(Outcome.Completed, operation.Outcome);
        Assert.Equal(0, purgatory.Delayed);
    }

    [Fact]
    public void CheckAndComplete_OnAWatchedKey_CompletesOnceAndForgetsEveryKey()
    {
        var purgatory = new DelayedOperationPurgatory("test", _time);
        var operation = new TestOperation();
        Assert.False(purgatory.TryCompleteElseWatch(operation, [A, B], TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Equal(1, purgatory.Delayed);

        Assert.Equal(0, purgatory.CheckAndComplete(A));
        operation.CanComplete = true;
        Assert.Equal(0, purgatory.CheckAndComplete(new TopicPartition("other", 0)));
        Assert.Equal(1, purgatory.CheckAndComplete(B));

        Assert.Equal((Outcome.Completed, 1), (operation.Outcome, operation.Completions));
        Assert.Equal(0, purgatory.Delayed);
        Assert.Equal(0, purgatory.CheckAndComplete(A));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal((Outcome.Completed, 1), (operation.Outcome, operation.Completions));
    }

    [Fact]
    public void Timeout_FromTheInjectedClock_ExpiresTheOperation()
    {
        var purgatory = new DelayedOperationPurgatory("test", _time);
        var operation = new TestOperation();
        purgatory.TryCompleteElseWatch(operation, [A], TimeSpan.FromMilliseconds(500), CancellationToken.None);

        _time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal(Outcome.Waiting, operation.Outcome);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(Outcome.Expired, operation.Outcome);
        Assert.Equal(0, purgatory.Delayed);
        operation.CanComplete = true;
        Assert.Equal(0, purgatory.CheckAndComplete(A));
    }

    [Fact]
    public async Task Cancellation_EndsTheWait()
    {
        var purgatory = new DelayedOperationPurgatory("test", _time);
        var operation = new TestOperation();
        using var cancellation = new CancellationTokenSource();
        purgatory.TryCompleteElseWatch(operation, [A], TimeSpan.FromSeconds(30), cancellation.Token);

        await cancellation.CancelAsync();

        Assert.Equal(Outcome.Cancelled, operation.Outcome);
        Assert.Equal(0, purgatory.Delayed);
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(Outcome.Cancelled, operation.Outcome);
    }

    [Fact]
    public async Task CheckAndComplete_ConcurrentWithTheTimeout_CompletesExactlyOnce()
    {
        var purgatory = new DelayedOperationPurgatory("test", TimeProvider.System);
        var operations = Enumerable.Range(0, 200).Select(_ => new TestOperation()).ToList();
        foreach (var operation in operations)
        {
            purgatory.TryCompleteElseWatch(operation, [A], TimeSpan.FromMilliseconds(1), CancellationToken.None);
            operation.CanComplete = true;
        }

        Parallel.For(0, 4, _ => purgatory.CheckAndComplete(A));

        await Rill.TestKit.Eventually.UntilAsync(() => purgatory.Delayed == 0, TimeSpan.FromSeconds(10), "every operation completed");
        Assert.All(operations, operation => Assert.Equal(1, operation.Completions));
    }

    private enum Outcome
    {
        Waiting,
        Completed,
        Expired,
        Cancelled,
    }

    private sealed class TestOperation : DelayedOperation
    {
        private int _completions;

        public volatile bool CanComplete;

        public Outcome Outcome { get; private set; }

        public int Completions => Volatile.Read(ref _completions);

        protected override bool TryCompleteLocked()
        {
            if (!CanComplete || !ForceComplete())
            {
                return false;
            }

            Finish(Outcome.Completed);
            return true;
        }

        protected override void OnExpired() => Finish(Outcome.Expired);

        protected override void OnCancelled() => Finish(Outcome.Cancelled);

        private void Finish(Outcome outcome)
        {
            Outcome = outcome;
            Interlocked.Increment(ref _completions);
        }
    }
}
