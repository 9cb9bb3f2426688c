namespace Rill.Raft;

public sealed partial class KafkaRaftClient
{
    /// <summary>
    /// Runs <see cref="Poll"/> until <paramref name="cancellationToken"/> is cancelled, sleeping on the injected clock
    /// between polls and waking early when a request, response or append arrives (kafka: <c>KafkaRaftClientDriver</c>).
    /// On cancellation a leader resigns with EndQuorumEpoch, naming the most caught-up voters as successors, and the
    /// loop ends once a new leader is known or a request timeout passed, so that failover does not wait for an election
    /// timeout. A failure of the quorum (its log or state) ends the task with that exception: the node must stop.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!_initialized)
        {
            throw new InvalidOperationException("the Raft client is run before Initialize");
        }

        using var timer = _time.CreateTimer(static state => ((PollWakeup)state!).Signal(), _wakeup, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        using var registration = cancellationToken.Register(static state => ((PollWakeup)state!).Signal(), _wakeup);
        RaftLog.DriverStarted(_logger, _config.NodeId);
        try
        {
            while (true)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    BeginShutdown();
                }

                _wakeup.Reset();
                var timeout = Poll();
                if (_shutdownComplete)
                {
                    return;
                }

                timer.Change(timeout, Timeout.InfiniteTimeSpan);
                await _wakeup.WaitAsync();
            }
        }
        catch (Exception exception) when (exception is not ObjectDisposedException)
        {
            RaftLog.DriverFailed(_logger, _config.NodeId, exception);
            throw;
        }
    }
}
