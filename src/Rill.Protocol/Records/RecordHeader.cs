namespace Rill.Protocol.Records;

/// <summary>A record header for <see cref="RecordBatchBuilder"/>: a UTF-8 key and a value that may be null.</summary>
public readonly record struct RecordHeader(string Key, byte[]? Value);
