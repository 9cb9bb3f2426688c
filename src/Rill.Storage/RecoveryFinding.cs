namespace Rill.Storage;

/// <summary>One problem found while opening a partition, and where.</summary>
/// <param name="SegmentBaseOffset">The segment it was found in (-1 for a checkpoint).</param>
/// <param name="Reason">What was wrong.</param>
/// <param name="Position">Byte position in the segment's log file, or -1.</param>
/// <param name="Detail">A sentence for operators.</param>
public sealed record RecoveryFinding(long SegmentBaseOffset, CorruptionReason Reason, long Position, string Detail);
