namespace Rill.Metadata;

/// <summary>What the controller needs from the broker's configuration.</summary>
public sealed record MetadataControllerConfig(int NodeId, int DefaultNumPartitions, short DefaultReplicationFactor);
