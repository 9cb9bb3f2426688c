using Rill.Common;
using Rill.Protocol.Records;

namespace Rill.Storage;

/// <summary>The outcome of <see cref="Log.AppendAsLeader(Memory{byte}, int)"/> or <see cref="Log.AppendAsFollower"/>; nothing was stored unless <see cref="ErrorCode"/> is None.</summary>
/// <param name="ErrorCode">The partition's code for the Produce response.</param>
/// <param name="ErrorMessage">Why, for logs and Produce v8+ error_message; null on success.</param>
/// <param name="ErrorBatchIndex">The batch that failed (0-based), or -1.</param>
/// <param name="ErrorRecordIndex">The record within it that failed, or -1 (Produce v8+ record_errors).</param>
/// <param name="FirstOffset">
/// Offset of the first record appended (Produce base_offset), -1 on error; for a follower append refused because it
/// starts before the log end (OFFSET_OUT_OF_RANGE), the first offset of its first batch.
/// </param>
/// <param name="LastOffset">Offset of the last record appended, -1 on error; for that refused follower append, the first batch's last offset.</param>
/// <param name="LogAppendTime">The broker's timestamp when the topic uses LogAppendTime, else -1.</param>
/// <param name="LogStartOffset">The log start offset after the append.</param>
/// <param name="RecordCount">Records appended.</param>
public readonly record struct AppendResult(
    ErrorCode ErrorCode,
    string? ErrorMessage,
    int ErrorBatchIndex,
    int ErrorRecordIndex,
    long FirstOffset,
    long LastOffset,
    long LogAppendTime,
    long LogStartOffset,
    int RecordCount)
{
    /// <summary>
    /// The records that failed their batch, as Kafka's LogValidator lists them for Produce v8+ record_errors (KIP-467):
    /// every record without a key on a compacted topic, or the record with an out-of-range timestamp; null otherwise.
    /// </summary>
    public IReadOnlyList<RecordError>? RecordErrors { get; init; }

    internal static AppendResult Failed(ErrorCode code, string message, long logStartOffset, int batchIndex = -1, int recordIndex = -1) =>
        new(code, message, batchIndex, recordIndex, -1, -1, -1, logStartOffset, 0);
}
