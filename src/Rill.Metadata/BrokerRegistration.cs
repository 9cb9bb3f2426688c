using System.Collections.Immutable;

namespace Rill.Metadata;

/// <summary>A listener a broker advertises to clients.</summary>
public sealed record BrokerEndpoint(string Name, string Host, int Port, short SecurityProtocol);

/// <summary>A broker known to the cluster, with the endpoints clients are told to use.</summary>
public sealed record BrokerRegistration(int BrokerId, long BrokerEpoch, ImmutableArray<BrokerEndpoint> Endpoints, string? Rack, bool Fenced);
