namespace Rill.Coordinator.Runtime;

internal enum TimerKind
{
    /// <summary>The join phase's deadline (rebalance timeout, or the initial rebalance delay).</summary>
    Join,

    /// <summary>The deadline for every member to send SyncGroup after the join phase.</summary>
    Sync,

    /// <summary>A member's session (or a new member's join) timeout.</summary>
    Heartbeat,

    /// <summary>The periodic expiry of offsets and empty groups.</summary>
    Cleanup,
}
