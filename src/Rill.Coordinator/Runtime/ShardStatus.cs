namespace Rill.Coordinator.Runtime;

/// <summary>Where a __consumer_offsets partition's coordinator is in its life on this broker.</summary>
internal enum ShardStatus
{
    /// <summary>Replaying the partition: its groups answer COORDINATOR_LOAD_IN_PROGRESS.</summary>
    Loading,

    /// <summary>Loaded and serving.</summary>
    Active,

    /// <summary>Resigned, failed to load or shut down: its groups answer NOT_COORDINATOR.</summary>
    Closed,
}
