using Rill.Common;

namespace Rill.Storage;

/// <summary>What opening one partition's directory found and repaired.</summary>
/// <param name="TopicPartition">The partition.</param>
/// <param name="LogDir">The data directory holding it.</param>
/// <param name="HadCleanShutdown">The directory had Kafka's clean-shutdown marker, so only index sanity was checked.</param>
/// <param name="SegmentCount">Segments after recovery.</param>
/// <param name="SegmentsScanned">Segments whose batches were read and CRC-checked (recovery or index rebuild).</param>
/// <param name="IndexesRebuilt">Segments whose index files were rebuilt.</param>
/// <param name="BytesTruncated">Bytes cut from torn or corrupt tails, including whole segments dropped after them.</param>
/// <param name="SegmentsDeleted">Segments dropped because they followed a corrupt batch.</param>
/// <param name="LogStartOffset">The log start offset after recovery.</param>
/// <param name="LogEndOffset">The log end offset after recovery.</param>
/// <param name="RecoveryPoint">Offset below which data is known to be on disk.</param>
/// <param name="Duration">Time spent, from the injected clock.</param>
/// <param name="Findings">Every problem found, in order.</param>
public sealed record LogLoadInfo(
    TopicPartition TopicPartition,
    string LogDir,
    bool HadCleanShutdown,
    int SegmentCount,
    int SegmentsScanned,
    int IndexesRebuilt,
    long BytesTruncated,
    int SegmentsDeleted,
    long LogStartOffset,
    long LogEndOffset,
    long RecoveryPoint,
    TimeSpan Duration,
    IReadOnlyList<RecoveryFinding> Findings);
