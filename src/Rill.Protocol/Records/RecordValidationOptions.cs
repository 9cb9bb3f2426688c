namespace Rill.Protocol.Records;

/// <summary>
/// What <see cref="RecordBatchValidator"/> enforces besides the format itself.
/// </summary>
/// <param name="MaxBatchBytes">A batch larger than this (whole batch, header included) is MESSAGE_TOO_LARGE (topic <c>max.message.bytes</c>).</param>
/// <param name="MaxUncompressedBytes">
/// Most bytes a compressed batch may inflate to. Decompression is parsed as a stream through a fixed pooled
/// window, so this bounds CPU, the zstd window and raw snappy's single block, not a buffer per batch.
/// </param>
/// <param name="FromClient">
/// A producer's request: base offset must be 0, control batches and empty batches are refused and idempotent
/// batches need a sequence, as Kafka checks for client appends. False for the broker's own writers.
/// </param>
/// <param name="TimestampType">The topic's <c>message.timestamp.type</c>; timestamp bounds apply to CreateTime only.</param>
/// <param name="NowMs">The broker's clock, for the timestamp bounds.</param>
/// <param name="TimestampBeforeMaxMs"><c>message.timestamp.before.max.ms</c>: how far a record may lie in the past.</param>
/// <param name="TimestampAfterMaxMs"><c>message.timestamp.after.max.ms</c>: how far a record may lie in the future.</param>
public readonly record struct RecordValidationOptions(
    int MaxBatchBytes,
    long MaxUncompressedBytes,
    bool FromClient,
    TimestampType TimestampType,
    long NowMs,
    long TimestampBeforeMaxMs,
    long TimestampAfterMaxMs)
{
    /// <summary>
    /// The topic's <c>cleanup.policy</c> includes <c>compact</c>: a record without a key is INVALID_RECORD, as Kafka's
    /// <c>LogValidator</c> answers, since compaction keeps the latest record per key and a keyless one has none.
    /// </summary>
    public bool RequireKeys { get; init; }

    /// <summary>A producer's records with Kafka's defaults for everything but the size limits.</summary>
    public static RecordValidationOptions ForProducer(int maxBatchBytes, long maxUncompressedBytes) =>
        new(maxBatchBytes, maxUncompressedBytes, FromClient: true, TimestampType.CreateTime, NowMs: 0,
            TimestampBeforeMaxMs: long.MaxValue, TimestampAfterMaxMs: long.MaxValue);
}
