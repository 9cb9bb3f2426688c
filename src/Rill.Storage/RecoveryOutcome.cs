namespace Rill.Storage;

/// <summary>What <see cref="LogSegment.Recover"/> found: where the segment now ends and what it cut.</summary>
internal readonly record struct RecoveryOutcome(long NextOffset, long BytesTruncated, RecoveryFinding? Finding);
