using Microsoft.Extensions.Time.Testing;
using Rill.Coordinator.Runtime;

namespace Rill.Coordinator.Tests;

public sealed class CoordinatorTimerTests : IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
    private readonly CoordinatorEventLoop _loop = new();
    private readonly List<string> _ran = [];

    public void Dispose() => _loop.Complete();

    private async Task OnLoopAsync(Func<ValueTask> action) => await _loop.SubmitAsync(async () =>
    {
        await action();
        return true;
    }).WaitAsync(Guard);

    private Func<ValueTask> Record(string name) => () =>
    {
        _ran.Add(name);
        return ValueTask.CompletedTask;
    };

    [Fact]
    public async Task RunDue_RunsWhatIsDueInDeadlineOrder_SkipsReplacedTimers_AndLateCallbacksDoNothing()
    {
        var time = new LateTimersTimeProvider(_clock) { Holding = true };
        var timer = new CoordinatorTimer(time, _loop, (_, exception) => throw exception);
        await OnLoopAsync(() =>
        {
            timer.Schedule(TimerKey.Join("a"), 300, Record("a"));
            timer.Schedule(TimerKey.Join("b"), 100, Record("b"));
            timer.Schedule(TimerKey.Join("c"), 200, Record("c"));
            timer.Schedule(TimerKey.Join("c"), 1000, Record("c-replaced"));
            return ValueTask.CompletedTask;
        });

        _clock.Advance(TimeSpan.FromMilliseconds(300));
        await OnLoopAsync(timer.RunDueAsync);
        Assert.Equal(["b", "a"], _ran);

        // The callbacks held back arrive now: what they were for already ran or was replaced.
        time.Release();
        await OnLoopAsync(() => ValueTask.CompletedTask);
        Assert.Equal(["b", "a"], _ran);

        _clock.Advance(TimeSpan.FromMilliseconds(700));
        await OnLoopAsync(() => ValueTask.CompletedTask);
        Assert.Equal(["b", "a", "c-replaced"], _ran);
    }

    [Fact]
    public async Task ATimerReplacedManyTimes_RunsOnceAtItsLastDeadline()
    {
        var timer = new CoordinatorTimer(_clock, _loop, (_, exception) => throw exception);
        for (var i = 0; i < 1000; i++)
        {
            var delayMs = 100 + i;
            await OnLoopAsync(() =>
            {
                timer.Schedule(TimerKey.Heartbeat("g", "m"), delayMs, Record("session-" + delayMs));
                timer.Schedule(TimerKey.Heartbeat("g", "other-" + (delayMs % 3)), 5000, Record("other"));
                return ValueTask.CompletedTask;
            });
        }

        _clock.Advance(TimeSpan.FromMilliseconds(1098));
        await OnLoopAsync(timer.RunDueAsync);
        Assert.Empty(_ran);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await OnLoopAsync(timer.RunDueAsync);
        Assert.Equal(["session-1099"], _ran);
    }
}
