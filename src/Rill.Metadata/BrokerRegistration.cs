using System.Collections.Immutable;
using Rill.Common;

namespace Rill.Metadata;

/// <summary>A listener a broker advertises to clients.</summary>
public sealed record BrokerEndpoint(string Name, string Host, int Port, short SecurityProtocol);

/// <summary>A broker known to the cluster, with the endpoints clients are told to use.</summary>
/// <remarks>
/// A registration starts fenced; the controller unfences the broker once it has caught up with the metadata log, and
/// fences it again when its session expires or its controlled shutdown completes (kafka: BrokerRegistration).
/// </remarks>
public sealed record BrokerRegistration(int BrokerId, long BrokerEpoch, ImmutableArray<BrokerEndpoint> Endpoints, string? Rack, bool Fenced)
{
    /// <summary>The process that registered: a new incarnation is a restart, the same one a retried registration.</summary>
    public Uuid IncarnationId { get; init; }

    /// <summary>Asked to shut down; its leaderships are moving away and it takes no new ones.</summary>
    public bool InControlledShutdown { get; init; }

    /// <summary>May lead partitions and join ISRs: unfenced and not shutting down (kafka: ClusterControlManager.isActive).</summary>
    public bool IsActive => !Fenced && !InControlledShutdown;
}
