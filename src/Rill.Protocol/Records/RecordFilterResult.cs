using Rill.Common;

namespace Rill.Protocol.Records;

/// <summary>The outcome of <see cref="RecordBatchFilter.FilterTo"/> for one batch.</summary>
/// <param name="Outcome">What was written.</param>
/// <param name="ErrorCode">Why the records did not parse when <see cref="RecordFilterOutcome.Corrupt"/>, else None.</param>
/// <param name="RecordsRead">Records in the batch.</param>
/// <param name="RecordsRetained">Records the filter kept.</param>
/// <param name="BytesWritten">Bytes written to the output (0 unless unchanged or rewritten).</param>
public readonly record struct RecordFilterResult(
    RecordFilterOutcome Outcome,
    ErrorCode ErrorCode,
    int RecordsRead,
    int RecordsRetained,
    int BytesWritten);
