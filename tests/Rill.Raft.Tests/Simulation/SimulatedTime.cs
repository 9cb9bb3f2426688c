namespace Rill.Raft.Tests.Simulation;

/// <summary>A clock only the scheduler moves: wall clock and timestamps in milliseconds from a fixed start.</summary>
internal sealed class SimulatedTime : TimeProvider
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    public long NowMs { get; private set; }

    public override long TimestampFrequency => 1_000;

    public override DateTimeOffset GetUtcNow() => Start.AddMilliseconds(NowMs);

    public override long GetTimestamp() => NowMs;

    public void AdvanceTo(long timeMs)
    {
        if (timeMs < NowMs)
        {
            throw new InvalidOperationException($"time cannot go back from {NowMs} to {timeMs}");
        }

        NowMs = timeMs;
    }

    /// <summary>The simulation calls Poll itself; a timer here would run outside the scheduler and break determinism.</summary>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        throw new NotSupportedException("the simulation schedules polls itself");
}
