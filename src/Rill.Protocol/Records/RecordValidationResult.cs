using Rill.Common;

namespace Rill.Protocol.Records;

/// <summary>
/// The outcome of <see cref="RecordBatchValidator.Validate"/>: <see cref="ErrorCode.None"/> and one
/// <see cref="RecordBatchFacts"/> per batch, or the code to answer the partition with and why.
/// </summary>
/// <param name="ErrorCode">None when every batch passed.</param>
/// <param name="ErrorMessage">For logs and Produce v8+ error_message; null when valid.</param>
/// <param name="ErrorBatchIndex">The failing batch (0-based), -1 when valid.</param>
/// <param name="ErrorRecordIndex">The failing record within that batch, -1 when not a record's fault (Produce v8+ record_errors).</param>
/// <param name="Batches">Facts per batch, in order; empty on error.</param>
/// <param name="RecordCount">Sum of the batches' record counts.</param>
/// <param name="MaxTimestamp">The largest timestamp over all batches, or -1.</param>
public readonly record struct RecordValidationResult(
    ErrorCode ErrorCode,
    string? ErrorMessage,
    int ErrorBatchIndex,
    int ErrorRecordIndex,
    RecordBatchFacts[] Batches,
    int RecordCount,
    long MaxTimestamp)
{
    public bool IsValid => ErrorCode == ErrorCode.None;

    /// <summary>The records of batch <see cref="ErrorBatchIndex"/> without a key on a compacted topic, when that failed it.</summary>
    public int[]? KeylessRecords { get; init; }

    internal static readonly RecordValidationResult Passed = new(ErrorCode.None, null, -1, -1, [], 0, RecordBatch.NoTimestamp);

    internal static RecordValidationResult Fail(ErrorCode code, string message, int batchIndex, int recordIndex = -1) =>
        new(code, message, batchIndex, recordIndex, [], 0, RecordBatch.NoTimestamp);
}
