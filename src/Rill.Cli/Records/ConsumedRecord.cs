namespace Rill.Cli.Records;

/// <summary>One record as <c>rill consume --output json</c> prints it: one JSON object per line.</summary>
internal sealed record ConsumedRecord(string Topic, int Partition, long Offset, long Timestamp, string? Key, string? Value, IReadOnlyList<RecordHeader> Headers);

internal sealed record RecordHeader(string Key, string? Value);
