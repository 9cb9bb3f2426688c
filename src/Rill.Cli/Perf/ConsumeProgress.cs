namespace Rill.Cli.Perf;

/// <summary>
/// When a consuming run is done, shared by its consumers or fetchers: the target number of records is reached, or
/// (without a target) every partition reached the end offset it had at the start, or something failed, or no record
/// came for the idle timeout. Keeps the time of the last record, so a failed run's elapsed time ends there.
/// </summary>
internal sealed class ConsumeProgress
{
    private static readonly TimeSpan IdleCheckInterval = TimeSpan.FromMilliseconds(100);

    private readonly PerfCounters _counters;
    private readonly TimeProvider _timeProvider;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _untilEnd;
    private long _target;
    private long _claimed;
    private int _partitionsLeft;
    private long _lastProgress;

    /// <param name="target">Records to read; null reads every partition to its end offset.</param>
    /// <param name="partitionsLeft">Without a target: partitions that have not reached their end yet.</param>
    public ConsumeProgress(long? target, int partitionsLeft, PerfCounters counters, TimeProvider timeProvider)
    {
        _untilEnd = target is null;
        _target = target ?? long.MaxValue;
        _partitionsLeft = partitionsLeft;
        _counters = counters;
        _timeProvider = timeProvider;
        _lastProgress = timeProvider.GetTimestamp();
        if (_untilEnd && partitionsLeft == 0)
        {
            _finished.TrySetResult();
        }
    }

    public Task Finished => _finished.Task;

    public bool IsFinished => _finished.Task.IsCompleted;

    /// <summary>The timestamp of the last record counted (the start before any was).</summary>
    public long LastProgress => Interlocked.Read(ref _lastProgress);

    /// <summary>
    /// Counts the records of whole batches (native driver). Past the target only the records up to it count, and
    /// the batches' bytes in the same proportion.
    /// </summary>
    public void OnRecords(long records, long bytes)
    {
        if (records == 0 && bytes == 0)
        {
            return;
        }

        var before = Interlocked.Add(ref _claimed, records) - records;
        var counted = Math.Clamp(Interlocked.Read(ref _target) - before, 0, records);
        _counters.Add(counted, counted == records ? bytes : bytes * counted / records);
        Interlocked.Exchange(ref _lastProgress, _timeProvider.GetTimestamp());
        if (_counters.Records >= Interlocked.Read(ref _target))
        {
            _finished.TrySetResult();
        }
    }

    /// <summary>Counts one record unless the target is reached already (several consumers race for the last ones).</summary>
    public bool TryCountRecord(long bytes)
    {
        var claimed = Interlocked.Increment(ref _claimed);
        var target = Interlocked.Read(ref _target);
        if (claimed > target)
        {
            _finished.TrySetResult();
            return false;
        }

        _counters.Add(1, bytes);
        Interlocked.Exchange(ref _lastProgress, _timeProvider.GetTimestamp());
        if (claimed == target)
        {
            _finished.TrySetResult();
        }

        return true;
    }

    /// <summary>Sets the target once it is known (e2e: the records the producer got written).</summary>
    public void SetTarget(long target)
    {
        Interlocked.Exchange(ref _target, target);
        if (_counters.Records >= target)
        {
            _finished.TrySetResult();
        }
    }

    /// <summary>A partition reached the end offset it had when the run started.</summary>
    public void OnPartitionDone()
    {
        if (Interlocked.Decrement(ref _partitionsLeft) == 0 && _untilEnd)
        {
            _finished.TrySetResult();
        }
    }

    /// <summary>Counts one failure and ends the run.</summary>
    public void Fail(string error)
    {
        _counters.AddFailed(1, error);
        _finished.TrySetResult();
    }

    /// <summary>Ends the run without counting a failure.</summary>
    public void Stop() => _finished.TrySetResult();

    /// <summary>Waits for the end of the run; fails it when no record arrived for <paramref name="idleTimeout"/>.</summary>
    public async Task WaitAsync(TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        while (!IsFinished)
        {
            await Task.WhenAny(Finished, Task.Delay(IdleCheckInterval, _timeProvider, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
            if (!IsFinished && _timeProvider.GetElapsedTime(LastProgress) > idleTimeout)
            {
                _counters.SetError($"no record arrived for {ValueParsers.Describe(idleTimeout)}");
                _finished.TrySetResult();
            }
        }
    }
}
