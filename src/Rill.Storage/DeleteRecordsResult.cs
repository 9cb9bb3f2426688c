using Rill.Common;

namespace Rill.Storage;

/// <summary>The outcome of <see cref="Log.DeleteRecordsBefore"/>: the DeleteRecords response's code and low watermark.</summary>
public readonly record struct DeleteRecordsResult(ErrorCode ErrorCode, long LowWatermark);
