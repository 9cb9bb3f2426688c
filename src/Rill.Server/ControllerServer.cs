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
    private readonly MetadataQuorum _quorum;
    private readonly MetadataLoader _loader;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private Term? _term;
    private Task _activation = Task.CompletedTask;

    private ControllerServer(ServerConfig config, MetadataQuorum quorum, MetadataLoader loader, ILoggerFactory loggerFactory)
    {
        _config = config;
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

    internal static ControllerServer Start(ServerConfig config, MetadataQuorum quorum, MetadataLoader loader, ILoggerFactory loggerFactory)
    {
        var server = new ControllerServer(config, quorum, loader, loggerFactory);
        quorum.OnLeaderChange(server.HandleLeaderChange);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _activation.ConfigureAwait(false);
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

            var controller = new MetadataController(log, _loader.Image, _config, _loggerFactory.CreateLogger<MetadataController>());
            Volatile.Write(ref _term, new Term(epoch, controller));
            QuorumLog.ControllerActivated(_logger, _config.NodeId, epoch);
        }
    }

    private sealed record Term(int Epoch, MetadataController Controller);
}
