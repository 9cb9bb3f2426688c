using Microsoft.Extensions.Logging;
using Rill.Config;
using Rill.Metadata;
using Rill.Protocol.MetadataRecords;
using Rill.Raft;
using Rill.Server.Quorum;

namespace Rill.Server;

/// <summary>
/// The controller role of a node (kafka: ControllerServer): a voter of the metadata quorum is the active controller
/// while it leads the quorum. On each leadership it writes a first record of its own and waits until this node has
/// applied it, so that the controller starts from everything committed before its term, then decides on that image;
/// when another node leads, its operations answer NOT_CONTROLLER and brokers forward to the new leader.
/// </summary>
public sealed class ControllerServer : IAsyncDisposable
{
    private readonly ServerConfig _config;
    private readonly string _clusterId;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly MetadataQuorum _quorum;
    private readonly MetadataLoader _loader;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private Term? _term;
    private Task _activation = Task.CompletedTask;
    private Task _timers = Task.CompletedTask;

    private ControllerServer(
        ServerConfig config, string clusterId, MetadataQuorum quorum, MetadataLoader loader, TimeProvider time, Random random, ILoggerFactory loggerFactory)
    {
        _config = config;
        _clusterId = clusterId;
        _time = time;
        _random = random;
        _quorum = quorum;
        _loader = loader;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("Rill.Server.Quorum");
    }

    /// <summary>The controller of the current term when this node is the active controller; null otherwise.</summary>
    public MetadataController? Active
    {
        get
        {
            var term = Volatile.Read(ref _term);
            return term is not null && term.Epoch == _quorum.Leader.Epoch && _quorum.Leader.LeaderId == _config.NodeId ? term.Controller : null;
        }
    }

    internal static ControllerServer Start(
        ServerConfig config, string clusterId, MetadataQuorum quorum, MetadataLoader loader, TimeProvider time, Random random, ILoggerFactory loggerFactory)
    {
        var server = new ControllerServer(config, clusterId, quorum, loader, time, random, loggerFactory);
        quorum.OnLeaderChange(server.HandleLeaderChange);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _activation.ConfigureAwait(false);
        await _timers.ConfigureAwait(false);
        lock (_lock)
        {
            _term?.Controller.Dispose();
            _term = null;
        }

        _stopping.Dispose();
    }

    private void HandleLeaderChange(LeaderAndEpoch leader)
    {
        lock (_lock)
        {
            if (_term is not null && _term.Epoch != leader.Epoch)
            {
                // Not disposed: operations of the old term may still be finishing; they fail with NOT_CONTROLLER.
                QuorumLog.ControllerDeactivated(_logger, _config.NodeId, _term.Epoch);
                _term = null;
            }

            if (leader.LeaderId == _config.NodeId && _term is null && !_stopping.IsCancellationRequested)
            {
                var previous = _activation;
                _activation = ActivateAsync(previous, leader.Epoch);
            }
        }
    }

    private async Task ActivateAsync(Task previous, int epoch)
    {
        await previous.ConfigureAwait(false);
        var log = new TermMetadataLog(_quorum, _loader, epoch);
        try
        {
            await log.AppendAsync([new ApiMessageAndVersion(new NoOpRecord(), 0)], _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is NotControllerException or OperationCanceledException)
        {
            return;
        }

        lock (_lock)
        {
            if (_stopping.IsCancellationRequested || _quorum.Leader.Epoch != epoch || _quorum.Leader.LeaderId != _config.NodeId)
            {
                return;
            }

            var controller = new MetadataController(log, _loader.Image, _config, _clusterId, _time, _random, _loggerFactory.CreateLogger<MetadataController>());
            var term = new Term(epoch, controller);
            Volatile.Write(ref _term, term);
            QuorumLog.ControllerActivated(_logger, _config.NodeId, epoch);
            _timers = RunTimersAsync(_timers, term);
        }
    }

    // The active controller's clock work: fencing brokers whose sessions expired (checked several times per session
    // timeout, so a dead broker loses its leaderships soon after its session ends) and the periodic leader balance.
    // Runs until the term ends.
    private async Task RunTimersAsync(Task previous, Term term)
    {
        await previous.ConfigureAwait(false);
        var fenceCheck = TimeSpan.FromMilliseconds(Math.Clamp(_config.BrokerSessionTimeoutMs / 10, 50, 1_000));
        var balanceInterval = TimeSpan.FromSeconds(Math.Max(_config.LeaderImbalanceCheckIntervalSeconds, 1));
        var nextBalance = _time.GetUtcNow() + balanceInterval;
        try
        {
            while (ReferenceEquals(Volatile.Read(ref _term), term))
            {
                await Task.Delay(fenceCheck, _time, _stopping.Token).ConfigureAwait(false);
                await term.Controller.FenceStaleBrokersAsync(_stopping.Token).ConfigureAwait(false);
                if (_time.GetUtcNow() >= nextBalance)
                {
                    await term.Controller.BalanceLeadersAsync(_stopping.Token).ConfigureAwait(false);
                    nextBalance = _time.GetUtcNow() + balanceInterval;
                }
            }
        }
        catch (Exception exception) when (exception is NotControllerException or OperationCanceledException)
        {
            // The term ended or the node stops.
        }
    }

    private sealed record Term(int Epoch, MetadataController Controller);
}
