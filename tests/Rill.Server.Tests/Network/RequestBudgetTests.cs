using Rill.Server.Network;

namespace Rill.Server.Tests.Network;

/// <summary><c>queued.max.request.bytes</c>: frames wait while they would pass the limit, in order, and never leak bytes.</summary>
public sealed class RequestBudgetTests
{
    [Fact]
    public void Unlimited_NeverWaits()
    {
        var budget = RequestBudget.Unlimited;

        Assert.True(budget.TakeAsync(int.MaxValue, connectionHeld: 1, TestContext.Current.CancellationToken).AsTask().IsCompletedSuccessfully);
        Assert.Equal(0, budget.Held);
    }

    [Fact]
    public async Task FrameThatWouldPassTheLimit_WaitsUntilEnoughIsGivenBack()
    {
        var budget = new RequestBudget(1000);
        var token = TestContext.Current.CancellationToken;
        Assert.True(budget.TakeAsync(600, connectionHeld: 0, token).AsTask().IsCompletedSuccessfully);

        var second = budget.TakeAsync(600, connectionHeld: 600, token).AsTask();
        Assert.False(second.IsCompleted);
        Assert.Equal(600, budget.Held);

        budget.Release(600);
        await second;
        Assert.Equal(600, budget.Held);
    }

    [Fact]
    public void ConnectionHoldingNothing_MayAlwaysSendOneFrame_EvenOverTheLimit()
    {
        var budget = new RequestBudget(1000);
        var token = TestContext.Current.CancellationToken;

        Assert.True(budget.TakeAsync(900, connectionHeld: 0, token).AsTask().IsCompletedSuccessfully);
        Assert.True(budget.TakeAsync(5000, connectionHeld: 0, token).AsTask().IsCompletedSuccessfully);
        Assert.Equal(5900, budget.Held);
        Assert.False(budget.TakeAsync(1, connectionHeld: 900, token).AsTask().IsCompleted);
        Assert.True(budget.TakeAsync(10, connectionHeld: 0, token).AsTask().IsCompletedSuccessfully);
        Assert.Equal(5910, budget.Held);
    }

    [Fact]
    public async Task Waiters_AreLetInFirstComeFirstServed()
    {
        var budget = new RequestBudget(1000);
        var token = TestContext.Current.CancellationToken;
        Assert.True(budget.TakeAsync(1000, connectionHeld: 0, token).AsTask().IsCompletedSuccessfully);
        var big = budget.TakeAsync(800, connectionHeld: 1, token).AsTask();
        var small = budget.TakeAsync(100, connectionHeld: 1, token).AsTask();

        budget.Release(300);
        Assert.False(big.IsCompleted);
        Assert.False(small.IsCompleted);

        budget.Release(700);
        await Task.WhenAll(big, small);
        Assert.Equal(900, budget.Held);
    }

    [Fact]
    public async Task CancelledWaiter_TakesNothing_AndTheNextOneGetsIn()
    {
        var budget = new RequestBudget(1000);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        Assert.True(budget.TakeAsync(1000, connectionHeld: 0, cancel.Token).AsTask().IsCompletedSuccessfully);
        var abandoned = budget.TakeAsync(900, connectionHeld: 1, cancel.Token).AsTask();
        var next = budget.TakeAsync(500, connectionHeld: 1, TestContext.Current.CancellationToken).AsTask();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        budget.Release(1000);
        await next;

        Assert.Equal(500, budget.Held);
    }
}
