using Rill.Common;

namespace Rill.Protocol.Records;

/// <summary>
/// Walks the records of one batch to prove they parse: every length and varint in bounds, offset deltas
/// 0..count-1, nothing left over. Keys, values and headers are skipped, never copied.
/// </summary>
internal static class RecordParser
{
    /// <summary>attributes, timestampDelta, offsetDelta, keyLength, valueLength, headersCount: one byte each at least.</summary>
    private const int MinRecordBodySize = 6;

    public readonly record struct Outcome(ErrorCode ErrorCode, string? Message, int RecordIndex, long MaxTimestamp)
    {
        /// <summary>Every record without a key on a compacted topic, when that is why the batch failed (Kafka lists them all).</summary>
        public int[]? KeylessRecords { get; init; }

        public static Outcome Ok(long maxTimestamp) => new(ErrorCode.None, null, -1, maxTimestamp);
    }

    public static Outcome Parse<TSource>(ref TSource source, int count, long baseTimestamp, in RecordValidationOptions options)
        where TSource : IRecordSource, allows ref struct
    {
        var checkTimestamps = options.TimestampType == TimestampType.CreateTime
            && (options.TimestampBeforeMaxMs != long.MaxValue || options.TimestampAfterMaxMs != long.MaxValue);
        var maxTimestamp = RecordBatch.NoTimestamp;
        List<int>? keyless = null;
        for (var index = 0; index < count; index++)
        {
            if (!source.TryReadVarInt(out var length))
            {
                return Failed(ref source, index, "record length is missing or malformed");
            }

            if (length < MinRecordBodySize)
            {
                return Invalid(index, $"record length {length} is smaller than the minimum of {MinRecordBodySize}");
            }

            var end = source.Position + length;
            if (!source.TryReadByte(out _) || !source.TryReadVarLong(out var timestampDelta))
            {
                return Failed(ref source, index, "record timestamp delta is missing or malformed");
            }

            if (!source.TryReadVarInt(out var offsetDelta))
            {
                return Failed(ref source, index, "record offset delta is missing or malformed");
            }

            // Stored compressed batches are never rewritten, so consumers compute offsets from these deltas:
            // they must be exactly 0..count-1 (Kafka would recompress instead; no client needs that).
            if (offsetDelta != index)
            {
                return Invalid(index, $"record offset delta {offsetDelta} should be {index}");
            }

            if (!TrySkipBytes(ref source, end, nullable: true, out var error, out var keyLength)
                || !TrySkipBytes(ref source, end, nullable: true, out error, out _))
            {
                return error.ErrorCode == ErrorCode.None ? Failed(ref source, index, "record key or value is truncated") : error with { RecordIndex = index };
            }

            // Kafka's LogValidator: a compacted topic keeps the latest record per key, so a record without one is refused;
            // it goes on through the batch and names every such record (KIP-467 record_errors).
            if (keyLength < 0 && options.RequireKeys)
            {
                (keyless ??= []).Add(index);
            }

            if (!source.TryReadVarInt(out var headerCount))
            {
                return Failed(ref source, index, "record header count is missing or malformed");
            }

            if (headerCount < 0)
            {
                return Invalid(index, $"record header count {headerCount} is negative");
            }

            for (var h = 0; h < headerCount; h++)
            {
                if (source.Position >= end)
                {
                    return Invalid(index, $"record headers overrun the record length {length}");
                }

                if (!TrySkipBytes(ref source, end, nullable: false, out error, out _) || !TrySkipBytes(ref source, end, nullable: true, out error, out _))
                {
                    return error.ErrorCode == ErrorCode.None ? Failed(ref source, index, "record header is truncated") : error with { RecordIndex = index };
                }
            }

            if (source.Position != end)
            {
                return Invalid(index, $"record length {length} does not match its {source.Position - end + length} bytes of fields");
            }

            var timestamp = baseTimestamp + timestampDelta;
            if (checkTimestamps && IsOutOfBounds(timestamp, options))
            {
                return new Outcome(ErrorCode.InvalidTimestamp,
                    $"record timestamp {timestamp} is outside the allowed range around {options.NowMs}", index, RecordBatch.NoTimestamp);
            }

            if (timestamp > maxTimestamp)
            {
                maxTimestamp = timestamp;
            }
        }

        if (!source.IsAtEnd())
        {
            return source.FailureCode != ErrorCode.None
                ? new Outcome(source.FailureCode, source.FailureMessage, -1, RecordBatch.NoTimestamp)
                : Invalid(-1, $"bytes remain after the {count} records the batch declares");
        }

        if (keyless is not null)
        {
            return Invalid(keyless[0], "a compacted topic (cleanup.policy=compact) refuses records without a key") with { KeylessRecords = [.. keyless] };
        }

        return Outcome.Ok(maxTimestamp);
    }

    /// <summary>A varint length then that many bytes (-1 = null where allowed), never past <paramref name="end"/>.</summary>
    private static bool TrySkipBytes<TSource>(ref TSource source, long end, bool nullable, out Outcome error, out int length)
        where TSource : IRecordSource, allows ref struct
    {
        error = default;
        if (!source.TryReadVarInt(out length))
        {
            return false;
        }

        if (length < (nullable ? -1 : 0))
        {
            error = Invalid(-1, $"field length {length} is invalid");
            return false;
        }

        if (length > 0)
        {
            if (length > end - source.Position)
            {
                error = Invalid(-1, $"field length {length} overruns its record");
                return false;
            }

            return source.TrySkip(length);
        }

        return true;
    }

    private static bool IsOutOfBounds(long timestamp, in RecordValidationOptions options)
    {
        // Int128 so extreme timestamps and Long.MaxValue bounds cannot overflow.
        var difference = (Int128)options.NowMs - timestamp;
        return difference > options.TimestampBeforeMaxMs || -difference > options.TimestampAfterMaxMs;
    }

    private static Outcome Failed<TSource>(ref TSource source, int index, string truncatedMessage)
        where TSource : IRecordSource, allows ref struct =>
        source.FailureCode != ErrorCode.None
            ? new Outcome(source.FailureCode, source.FailureMessage, index, RecordBatch.NoTimestamp)
            : Invalid(index, truncatedMessage);

    private static Outcome Invalid(int index, string message) => new(ErrorCode.InvalidRecord, message, index, RecordBatch.NoTimestamp);
}
