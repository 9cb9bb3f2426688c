using Rill.Common;

namespace Rill.Replication;

/// <summary>DeleteRecords for one partition: its code and the new low watermark (log start offset), -1 on error.</summary>
public readonly record struct DeleteRecordsPartitionResult(ErrorCode ErrorCode, long LowWatermark);
