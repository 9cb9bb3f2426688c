namespace Rill.Cli.Perf;

/// <summary>
/// Holds a sender to an average rate, as Kafka's ThroughputThrottler does: after n records it waits until n/rate
/// seconds have passed since the start. Waits shorter than a millisecond are skipped; they add up until one is
/// worth a timer.
/// </summary>
internal sealed class RateLimiter
{
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(1);
    private readonly double _recordsPerSecond;
    private readonly TimeProvider _timeProvider;
    private readonly long _start;

    private RateLimiter(double recordsPerSecond, TimeProvider timeProvider)
    {
        _recordsPerSecond = recordsPerSecond;
        _timeProvider = timeProvider;
        _start = timeProvider.GetTimestamp();
    }

    /// <summary>A limiter for <paramref name="recordsPerSecond"/>, or null when it is not positive (unlimited).</summary>
    public static RateLimiter? Create(double recordsPerSecond, TimeProvider timeProvider) =>
        recordsPerSecond > 0 ? new RateLimiter(recordsPerSecond, timeProvider) : null;

    /// <summary>Waits until <paramref name="sent"/> records are due.</summary>
    public ValueTask WaitAsync(long sent, CancellationToken cancellationToken)
    {
        var due = TimeSpan.FromSeconds(sent / _recordsPerSecond);
        var ahead = due - _timeProvider.GetElapsedTime(_start);
        return ahead >= MinimumWait ? new ValueTask(Task.Delay(ahead, _timeProvider, cancellationToken)) : ValueTask.CompletedTask;
    }
}
