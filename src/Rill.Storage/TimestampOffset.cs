namespace Rill.Storage;

/// <summary>A record's timestamp and offset, as ListOffsets answers them; timestamp -1 for latest/earliest.</summary>
public readonly record struct TimestampOffset(long Timestamp, long Offset);
