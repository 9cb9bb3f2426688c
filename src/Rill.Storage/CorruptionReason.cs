namespace Rill.Storage;

/// <summary>What recovery found wrong in a partition's files; each one names a repair in the recovery stats.</summary>
public enum CorruptionReason
{
    /// <summary>The file ends inside a batch: a torn write. Truncated to the last whole batch.</summary>
    TruncatedBatch,

    /// <summary>A batch length smaller than a batch header: garbage. Truncated there.</summary>
    BatchLengthTooSmall,

    /// <summary>A batch whose magic is not 2. Truncated there.</summary>
    InvalidMagic,

    /// <summary>A batch whose CRC-32C does not match its bytes. Truncated there.</summary>
    CrcMismatch,

    /// <summary>A batch whose offsets go backwards or leave the segment. Truncated there.</summary>
    OffsetsNotMonotonic,

    /// <summary>An index file is missing. Rebuilt by scanning its segment.</summary>
    IndexMissing,

    /// <summary>An index file's length is not a whole number of entries. Rebuilt.</summary>
    IndexSizeInvalid,

    /// <summary>Index entries are not in ascending order. Rebuilt.</summary>
    IndexNotAscending,

    /// <summary>An index entry points past the end of its segment. Rebuilt.</summary>
    IndexPastEndOfLog,

    /// <summary>An index entry does not point at the batch it names. Rebuilt.</summary>
    IndexMismatch,

    /// <summary>A checkpoint file does not parse. Ignored: everything from the start is recovered.</summary>
    CheckpointCorrupt,

    /// <summary>The recovery-point checkpoint is beyond the log end. Lowered to the log end.</summary>
    RecoveryPointAheadOfLog,

    /// <summary>The log-start-offset checkpoint is beyond the log end. Lowered to the log end.</summary>
    LogStartOffsetAheadOfLog,

    /// <summary>
    /// A crash interrupted the log cleaner's swap, leaving a <c>.swap</c> segment. The swap is completed: the segments it
    /// replaces are deleted, it takes its final name and its indexes are rebuilt.
    /// </summary>
    InterruptedSwap,

    /// <summary>A batch whose CRC matches but whose records do not parse or decompress. The cleaner leaves the log alone.</summary>
    RecordsUnreadable,

    /// <summary>
    /// The <c>leader-epoch-checkpoint</c> is missing from a log that holds batches, does not parse, its entries do not
    /// ascend, or its latest epoch is not the last batch's. Rebuilt from the batches' partition leader epochs.
    /// </summary>
    LeaderEpochCheckpointInvalid,
}
