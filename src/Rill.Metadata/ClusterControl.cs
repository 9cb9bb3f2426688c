using Microsoft.Extensions.Logging;
using Rill.Common;
using Rill.Config;
using Rill.Protocol.MetadataRecords;
using Rill.Protocol.Messages;

namespace Rill.Metadata;

/// <summary>
/// The active controller's decisions about brokers (kafka: ClusterControlManager.registerBroker and
/// ReplicationControlManager.processBrokerHeartbeat, maybeFenceOneStaleBroker): registrations, heartbeats that
/// unfence, shut down or keep a broker, and fencing of brokers whose sessions expired. A broker registers fenced
/// with a new epoch and is unfenced by a heartbeat once it has replayed the metadata log up to its registration, so
/// it never leads on metadata it has not seen.
/// </summary>
internal sealed class ClusterControl
{
    internal const short RegisterBrokerRecordVersion = 1;

    private readonly ServerConfig _config;
    private readonly string _clusterId;
    private readonly BrokerHeartbeatManager _sessions;
    private readonly ILogger _logger;

    /// <summary>
    /// Becomes active on <paramref name="state"/> (kafka: ClusterControlManager.activate): every registered broker
    /// starts a fresh session, fenced ones stay fenced, and each must reach this state's offset to be unfenced.
    /// </summary>
    public ClusterControl(ServerConfig config, string clusterId, MetadataImage state, TimeProvider time, ILogger logger)
    {
        _config = config;
        _clusterId = clusterId;
        _logger = logger;
        _sessions = new BrokerHeartbeatManager(time, TimeSpan.FromMilliseconds(config.BrokerSessionTimeoutMs));
        foreach (var broker in state.Brokers.Values)
        {
            _sessions.Register(broker.BrokerId, broker.Fenced, state.Offset);
        }
    }

    public ControllerResult<BrokerRegistrationResponse> Register(MetadataImage state, BrokerRegistrationRequest request)
    {
        _sessions.Resolve(state.Offset);
        var brokerId = request.BrokerId;
        if (request.ClusterId != _clusterId)
        {
            return Refuse(ErrorCode.InconsistentClusterId);
        }

        state.Brokers.TryGetValue(brokerId, out var existing);
        var newIncarnation = existing is null || existing.IncarnationId != request.IncarnationId;
        if (existing is not null && newIncarnation && _sessions.HasValidSession(brokerId))
        {
            // Two processes with one node.id: the one that holds a live session keeps it. A restarted broker is
            // refused the same way until the session of the process before it expires.
            MetadataLog.DuplicateRegistration(_logger, brokerId, request.IncarnationId, existing.IncarnationId);
            return Refuse(ErrorCode.DuplicateBrokerRegistration);
        }

        var replication = new ReplicationControl(_config, state);
        if (existing is not null && newIncarnation)
        {
            replication.HandleNewIncarnation(brokerId);
        }

        // A new incarnation starts fenced with a new epoch, the offset its batch begins at, as in Kafka; the same
        // incarnation registering again (a retry whose answer was lost) keeps what it had.
        var epoch = newIncarnation ? state.Offset + 1 : existing!.BrokerEpoch;
        var record = new RegisterBrokerRecord
        {
            BrokerId = brokerId,
            IncarnationId = request.IncarnationId,
            BrokerEpoch = epoch,
            Rack = string.IsNullOrEmpty(request.Rack) ? null : request.Rack,
            Fenced = newIncarnation || existing!.Fenced,
            InControlledShutdown = !newIncarnation && existing!.InControlledShutdown,
        };
        foreach (var listener in request.Listeners)
        {
            record.EndPoints.Add(new RegisterBrokerRecord.BrokerEndpoint
            {
                Name = listener.Name,
                Host = listener.Host,
                Port = listener.Port,
                SecurityProtocol = listener.SecurityProtocol,
            });
        }

        replication.Add(new(record, RegisterBrokerRecordVersion));
        if (newIncarnation)
        {
            _sessions.Remove(brokerId);
        }

        _sessions.Register(brokerId, record.Fenced, registrationOffset: null);
        MetadataLog.BrokerRegistered(_logger, brokerId, epoch, request.IncarnationId);
        return new(replication.Records, new BrokerRegistrationResponse { BrokerEpoch = epoch });
    }

    public ControllerResult<BrokerHeartbeatResponse> Heartbeat(MetadataImage state, BrokerHeartbeatRequest request)
    {
        _sessions.Resolve(state.Offset);
        var brokerId = request.BrokerId;
        if (!state.Brokers.TryGetValue(brokerId, out var registration) || registration.BrokerEpoch != request.BrokerEpoch
            || !_sessions.IsRegistered(brokerId))
        {
            return new([], new BrokerHeartbeatResponse { ErrorCode = (short)ErrorCode.StaleBrokerEpoch });
        }

        var replication = new ReplicationControl(_config, state);
        var current = _sessions.CurrentState(brokerId);
        var next = _sessions.NextState(
            brokerId, request.WantFence, request.WantShutDown, request.CurrentMetadataOffset, () => replication.HasLeaderships(brokerId));
        if (next != current)
        {
            switch (next)
            {
                case BrokerControlState.Fenced:
                case BrokerControlState.ShutdownNow:
                    replication.FenceBroker(brokerId);
                    MetadataLog.BrokerFenced(_logger, brokerId, next == BrokerControlState.ShutdownNow ? "its controlled shutdown is complete" : "it asked to be");
                    break;
                case BrokerControlState.Unfenced:
                    replication.UnfenceBroker(brokerId, request.BrokerEpoch);
                    MetadataLog.BrokerUnfenced(_logger, brokerId, request.CurrentMetadataOffset);
                    break;
                case BrokerControlState.ControlledShutdown:
                    replication.BeginControlledShutdown(brokerId, request.BrokerEpoch);
                    MetadataLog.BrokerShuttingDown(_logger, brokerId);
                    break;
            }
        }

        var fenced = next is BrokerControlState.Fenced or BrokerControlState.ShutdownNow;
        _sessions.Touch(brokerId, fenced, request.CurrentMetadataOffset);
        if (next == BrokerControlState.ControlledShutdown)
        {
            _sessions.BeginControlledShutdown(brokerId);
        }

        return new(replication.Records, new BrokerHeartbeatResponse
        {
            IsCaughtUp = request.CurrentMetadataOffset >= _sessions.RegistrationOffset(brokerId),
            IsFenced = fenced,
            ShouldShutDown = next == BrokerControlState.ShutdownNow,
        });
    }

    /// <summary>
    /// Fences the broker whose session expired longest ago, if any, moving its leaderships (kafka:
    /// maybeFenceOneStaleBroker). One per operation, so that each fencing is in the state the next one is decided on.
    /// </summary>
    public ControllerResult<int?> FenceOneStaleBroker(MetadataImage state)
    {
        _sessions.Resolve(state.Offset);
        foreach (var brokerId in _sessions.StaleBrokers())
        {
            _sessions.Fence(brokerId);
            if (!state.Brokers.ContainsKey(brokerId))
            {
                continue;
            }

            var replication = new ReplicationControl(_config, state);
            replication.FenceBroker(brokerId);
            MetadataLog.SessionExpired(_logger, brokerId, _config.BrokerSessionTimeoutMs);
            return new(replication.Records, brokerId);
        }

        return new([], null);
    }

    private static ControllerResult<BrokerRegistrationResponse> Refuse(ErrorCode error) =>
        new([], new BrokerRegistrationResponse { ErrorCode = (short)error });
}
