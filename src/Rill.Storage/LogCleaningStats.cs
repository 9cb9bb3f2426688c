namespace Rill.Storage;

/// <summary>What one cleaning pass over a log did.</summary>
/// <param name="SegmentsBefore">Segments rewritten.</param>
/// <param name="SegmentsAfter">Segments they became.</param>
/// <param name="BytesBefore">Their bytes before.</param>
/// <param name="BytesAfter">Their bytes after.</param>
/// <param name="RecordsRead">Records read while rewriting.</param>
/// <param name="RecordsRetained">Records kept.</param>
/// <param name="CleanedUpTo">The new cleaner checkpoint: the offset map covered the log up to here.</param>
/// <param name="Duration">Time spent, from the injected clock.</param>
internal sealed record LogCleaningStats(
    int SegmentsBefore,
    int SegmentsAfter,
    long BytesBefore,
    long BytesAfter,
    long RecordsRead,
    long RecordsRetained,
    long CleanedUpTo,
    TimeSpan Duration);
