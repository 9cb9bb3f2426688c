namespace Rill.Storage;

/// <summary>
/// <c>cleanup.policy</c> (<c>log.cleanup.policy</c>), Kafka's list of <c>delete</c> and <c>compact</c>; both may be set
/// (<c>compact,delete</c>), and the two work independently.
/// </summary>
[Flags]
public enum CleanupPolicy
{
    /// <summary>Neither: old segments are kept, except below the log start offset.</summary>
    None = 0,

    /// <summary>Retention deletes old segments by <c>retention.ms</c> and <c>retention.bytes</c>.</summary>
    Delete = 1,

    /// <summary>The log cleaner keeps only the latest record per key (<see cref="LogManager.RunCompaction"/>).</summary>
    Compact = 2,
}
