using Microsoft.Extensions.Logging;
using Rill.Common;
using Rill.Config;
using Rill.Metadata;
using Rill.Protocol.Messages;

namespace Rill.Server;

/// <summary>Where a broker's lifecycle stands, as Kafka's BrokerState names it.</summary>
public enum BrokerLifecycleState
{
    /// <summary>Registering, or registered and replaying the metadata log up to its registration.</summary>
    Starting,

    /// <summary>Caught up, waiting for the controller to unfence it.</summary>
    Recovery,

    /// <summary>Unfenced: it may lead partitions and join ISRs.</summary>
    Running,

    /// <summary>Asked to shut down; the controller is moving its leaderships.</summary>
    PendingControlledShutdown,

    /// <summary>The controller let it go, or it gave up waiting.</summary>
    ShuttingDown,
}

/// <summary>
/// The broker's side of its lifecycle at the active controller (kafka: BrokerLifecycleManager): registers with a new
/// incarnation (retrying), heartbeats every <c>broker.heartbeat.interval.ms</c> with the metadata offset the node has
/// applied (every 10 ms while it has not caught up, so that a start is quick), tells whether it is fenced, and on stop
/// asks for a controlled shutdown until the controller has moved its leaderships or the session timeout passes.
/// One background loop owns every request to the controller, so a heartbeat never overlaps another.
/// </summary>
public sealed class BrokerLifecycleManager : IAsyncDisposable
{
    private static readonly TimeSpan StartingInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan FirstShutdownRetry = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan DuplicateRetry = TimeSpan.FromMilliseconds(250);

    private readonly ServerConfig _config;
    private readonly string _clusterId;
    private readonly IControllerClient _controller;
    private readonly IMetadataView _metadata;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _sessionTimeout;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _unfenced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _shutdownGranted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private volatile bool _wantShutDown;
    private volatile BrokerLifecycleState _state = BrokerLifecycleState.Starting;
    private volatile bool _fenced = true;
    private volatile bool _caughtUp;
    private long _brokerEpoch = -1;
    private bool _answeredShutdown;

    public BrokerLifecycleManager(
        ServerConfig config,
        string clusterId,
        IControllerClient controller,
        IMetadataView metadata,
        TimeProvider time,
        ILogger<BrokerLifecycleManager> logger)
    {
        _config = config;
        _clusterId = clusterId;
        _controller = controller;
        _metadata = metadata;
        _time = time;
        _logger = logger;
        _interval = TimeSpan.FromMilliseconds(config.BrokerHeartbeatIntervalMs);
        _sessionTimeout = TimeSpan.FromMilliseconds(config.BrokerSessionTimeoutMs);
    }

    public Uuid IncarnationId { get; } = Uuid.NewRandom();

    /// <summary>The epoch of the current registration; -1 until registered.</summary>
    public long BrokerEpoch => Interlocked.Read(ref _brokerEpoch);

    public BrokerLifecycleState State => _state;

    /// <summary>As the controller last answered: fenced brokers lead nothing and are in no ISR.</summary>
    public bool IsFenced => _fenced;

    /// <summary>Completes when the controller first unfences this broker; fails or is cancelled when the start does not get there.</summary>
    public Task Unfenced => _unfenced.Task;

    /// <summary>Whether the node had replayed the metadata log up to its registration at the last heartbeat.</summary>
    public bool IsCaughtUp => _caughtUp;

    /// <summary>
    /// Registers and heartbeats until the controller unfences this broker; the heartbeats go on in the background.
    /// Fails when the controller belongs to another cluster, or when another live broker holds this node.id for
    /// longer than a session (a restart waits out the session of the process before it).
    /// </summary>
    public async Task StartAsync(IReadOnlyList<BrokerEndpoint> endpoints, CancellationToken cancellationToken)
    {
        _loop = RunAsync(endpoints, _stopping.Token);
        using var registration = cancellationToken.Register(() => _unfenced.TrySetCanceled(cancellationToken));
        await _unfenced.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Asks the controller to move this broker's leaderships away and waits until it says the broker may stop, or until
    /// a session timeout has passed: by then the controller fences a silent broker anyway.
    /// </summary>
    public async Task ControlledShutdownAsync()
    {
        if (_loop is null || _loop.IsCompleted)
        {
            return;
        }

        _wantShutDown = true;
        _state = BrokerLifecycleState.PendingControlledShutdown;
        Wake();
        using var timeout = new CancellationTokenSource();
        await Task.WhenAny(_shutdownGranted.Task, _loop, Task.Delay(_sessionTimeout, _time, timeout.Token)).ConfigureAwait(false);
        await timeout.CancelAsync().ConfigureAwait(false);
        if (!_shutdownGranted.Task.IsCompleted)
        {
            LifecycleLog.ControlledShutdownTimedOut(_logger, _config.NodeId, _sessionTimeout);
        }

        _state = BrokerLifecycleState.ShuttingDown;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private async Task RunAsync(IReadOnlyList<BrokerEndpoint> endpoints, CancellationToken stopping)
    {
        try
        {
            var failures = 0;
            long? refusedSince = null;
            while (!stopping.IsCancellationRequested)
            {
                TimeSpan next;
                try
                {
                    if (BrokerEpoch < 0)
                    {
                        (next, refusedSince) = await RegisterAsync(endpoints, refusedSince, stopping).ConfigureAwait(false);
                    }
                    else
                    {
                        next = await HeartbeatAsync(stopping).ConfigureAwait(false);
                    }

                    if (next == Timeout.InfiniteTimeSpan)
                    {
                        return;
                    }

                    failures = 0;
                }
                catch (Exception exception) when (exception is not BrokerStartException && !stopping.IsCancellationRequested)
                {
                    // The controller is unreachable, timed out or answered with an exception (a remote one moving, say): try again.
                    LifecycleLog.ControllerRequestFailed(_logger, exception, _config.NodeId);
                    next = Backoff(++failures);
                }

                await WaitAsync(next, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped.
        }
        catch (BrokerStartException exception)
        {
            _unfenced.TrySetException(exception);
        }
        finally
        {
            _unfenced.TrySetCanceled(CancellationToken.None);
        }
    }

    private async Task<(TimeSpan Next, long? RefusedSince)> RegisterAsync(IReadOnlyList<BrokerEndpoint> endpoints, long? refusedSince, CancellationToken cancellationToken)
    {
        var request = new BrokerRegistrationRequest
        {
            BrokerId = _config.NodeId,
            ClusterId = _clusterId,
            IncarnationId = IncarnationId,
            Rack = _config.BrokerRack,
        };
        request.Listeners.AddRange(endpoints.Select(e => new BrokerRegistrationRequest.Listener
        {
            Name = e.Name,
            Host = e.Host,
            Port = (ushort)e.Port,
            SecurityProtocol = e.SecurityProtocol,
        }));
        var response = await _controller.RegisterBrokerAsync(request, cancellationToken).ConfigureAwait(false);
        switch ((ErrorCode)response.ErrorCode)
        {
            case ErrorCode.None:
                Interlocked.Exchange(ref _brokerEpoch, response.BrokerEpoch);
                LifecycleLog.Registered(_logger, _config.NodeId, response.BrokerEpoch);
                return (TimeSpan.Zero, null);
            case ErrorCode.InconsistentClusterId when _state == BrokerLifecycleState.Starting:
                throw new BrokerStartException(
                    ErrorCode.InconsistentClusterId,
                    $"The active controller belongs to another cluster than this node's cluster id {_clusterId} (meta.properties); format the data directory for the cluster it joins (rill storage format -t <cluster id>).");
            case ErrorCode.DuplicateBrokerRegistration when _state == BrokerLifecycleState.Starting:
                // A restart is refused until the session of the process before it expires; past a session and a
                // heartbeat more, another live broker holds this id.
                var since = refusedSince ?? _time.GetTimestamp();
                if (_time.GetElapsedTime(since) > _sessionTimeout + _interval)
                {
                    throw new BrokerStartException(
                        ErrorCode.DuplicateBrokerRegistration,
                        $"Another live broker is registered with node.id={_config.NodeId}; each node of a cluster needs its own node.id.");
                }

                if (refusedSince is null)
                {
                    LifecycleLog.RegistrationRefused(_logger, _config.NodeId, (ErrorCode)response.ErrorCode);
                }

                return (DuplicateRetry, since);
            default:
                LifecycleLog.RegistrationRefused(_logger, _config.NodeId, (ErrorCode)response.ErrorCode);
                return (Backoff(1), refusedSince);
        }
    }

    private async Task<TimeSpan> HeartbeatAsync(CancellationToken cancellationToken)
    {
        var wantShutDown = _wantShutDown;
        var response = await _controller.BrokerHeartbeatAsync(
            new BrokerHeartbeatRequest
            {
                BrokerId = _config.NodeId,
                BrokerEpoch = BrokerEpoch,
                CurrentMetadataOffset = _metadata.Image.Offset,
                WantShutDown = wantShutDown,
            },
            cancellationToken).ConfigureAwait(false);
        var error = (ErrorCode)response.ErrorCode;
        if (error == ErrorCode.StaleBrokerEpoch)
        {
            // The controller has no registration with this epoch (it was superseded): register again.
            LifecycleLog.HeartbeatRefused(_logger, _config.NodeId, error);
            Interlocked.Exchange(ref _brokerEpoch, -1);
            return TimeSpan.Zero;
        }

        if (error != ErrorCode.None)
        {
            LifecycleLog.HeartbeatRefused(_logger, _config.NodeId, error);
            return Backoff(1);
        }

        _caughtUp = response.IsCaughtUp;
        var wasFenced = _fenced;
        _fenced = response.IsFenced;
        if (wasFenced != response.IsFenced)
        {
            LifecycleLog.FencingChanged(_logger, _config.NodeId, response.IsFenced);
        }

        if (wantShutDown)
        {
            if (response.ShouldShutDown)
            {
                _shutdownGranted.TrySetResult();
                return Timeout.InfiniteTimeSpan;
            }

            // The first wait is short: on a small cluster the leaderships have moved by then.
            var first = !_answeredShutdown;
            _answeredShutdown = true;
            return first ? FirstShutdownRetry : _interval;
        }

        if (!response.IsFenced)
        {
            _state = BrokerLifecycleState.Running;
            _unfenced.TrySetResult();
            return _interval;
        }

        if (_state is BrokerLifecycleState.Starting or BrokerLifecycleState.Recovery)
        {
            _state = response.IsCaughtUp ? BrokerLifecycleState.Recovery : BrokerLifecycleState.Starting;
            return StartingInterval;
        }

        return _interval;
    }

    private TimeSpan Backoff(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(_interval.TotalMilliseconds, InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 10))));

    private async Task WaitAsync(TimeSpan delay, CancellationToken stopping)
    {
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        Task wake;
        lock (_lock)
        {
            wake = _wake.Task;
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var delayed = Task.Delay(delay, _time, cancel.Token);
        await Task.WhenAny(delayed, wake).ConfigureAwait(false);
        await cancel.CancelAsync().ConfigureAwait(false);
        stopping.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_wake.Task.IsCompleted)
            {
                _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    private void Wake()
    {
        lock (_lock)
        {
            _wake.TrySetResult();
        }
    }

    /// <summary>A refusal that ends a start: the node must not come up as this broker.</summary>
    private sealed class BrokerStartException(ErrorCode error, string message) : KafkaException(error, message);
}

/// <summary>Log messages of the broker lifecycle; event ids 1300-1399.</summary>
internal static partial class LifecycleLog
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Broker {nodeId} registered with the controller, epoch {brokerEpoch}")]
    public static partial void Registered(ILogger logger, int nodeId, long brokerEpoch);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "Broker {nodeId}: the controller refused the registration with {error}; retrying")]
    public static partial void RegistrationRefused(ILogger logger, int nodeId, ErrorCode error);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Broker {nodeId}: the controller refused a heartbeat with {error}")]
    public static partial void HeartbeatRefused(ILogger logger, int nodeId, ErrorCode error);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Information, Message = "Broker {nodeId} fenced: {fenced}")]
    public static partial void FencingChanged(ILogger logger, int nodeId, bool fenced);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Warning, Message = "Broker {nodeId}: a request to the controller failed; retrying")]
    public static partial void ControllerRequestFailed(ILogger logger, Exception exception, int nodeId);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Warning, Message = "Broker {nodeId}: the controller did not complete the controlled shutdown within {timeout}; stopping anyway")]
    public static partial void ControlledShutdownTimedOut(ILogger logger, int nodeId, TimeSpan timeout);
}
