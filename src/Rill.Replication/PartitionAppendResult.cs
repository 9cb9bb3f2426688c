using Rill.Common;
using Rill.Protocol.Records;

namespace Rill.Replication;

/// <summary>One partition's answer to <see cref="ReplicaManager.AppendAsync"/>.</summary>
/// <param name="ErrorCode">The Produce response's code for the partition.</param>
/// <param name="ErrorMessage">Produce v8+ error_message; null on success.</param>
/// <param name="RecordErrors">The records that failed their batch (KIP-467); empty unless a record was at fault.</param>
/// <param name="BaseOffset">The first offset written, -1 when nothing was; kept with REQUEST_TIMED_OUT, as Kafka does.</param>
/// <param name="LogAppendTime">The broker's timestamp for LogAppendTime topics, else -1.</param>
/// <param name="LogStartOffset">The log start offset after the append, -1 when the partition was not found.</param>
/// <param name="RecordCount">Records stored (counted even when acks=-1 then timed out: they are in the log).</param>
public readonly record struct PartitionAppendResult(
    ErrorCode ErrorCode,
    string? ErrorMessage,
    IReadOnlyList<RecordError> RecordErrors,
    long BaseOffset,
    long LogAppendTime,
    long LogStartOffset,
    int RecordCount)
{
    public static PartitionAppendResult Failed(ErrorCode code, string? message) => new(code, message, [], -1, -1, -1, 0);
}
