using Rill.Common;

namespace Rill.Protocol.Records;

/// <summary>
/// Checks the <c>records</c> bytes of one partition in a Produce request before anything is stored:
/// one or more whole v2 batches, each with a consistent length, a correct CRC-32C, sane attributes and
/// records that parse (compressed ones through their codec). Never throws on bad input and never
/// modifies the bytes; the log stamps offsets and timestamps afterwards.
/// </summary>
/// <remarks>
/// Error codes follow Kafka 4.0 where it answers with a specific code:
/// <list type="bullet">
/// <item>Magic 0 or 1: INVALID_RECORD (87). Kafka's <c>ProduceRequest.validateRecords</c> throws
/// <c>InvalidRecordException</c> ("Produce requests with version N are only allowed to contain record batches
/// with magic version 2") for every Produce v3+, and <c>KafkaApis.handleProduceRequest</c> maps it through
/// <c>Errors.forException</c> to INVALID_RECORD for that partition.</item>
/// <item>Magic above 2 or below 0, a length too small or past the bytes, a CRC mismatch: CORRUPT_MESSAGE (2),
/// as Kafka's batch iterator and <c>UnifiedLog.analyzeAndValidateRecords</c> answer. Kafka silently trims a
/// partial batch after a whole one; we refuse it instead, so nothing of a damaged request is stored.</item>
/// <item>A batch over <c>max.message.bytes</c>: MESSAGE_TOO_LARGE (10).</item>
/// <item>A correct CRC over a malformed batch (unknown codec or attribute bits, count and lastOffsetDelta
/// disagreeing, records that do not parse or decompress, base offset not 0, control batches from clients):
/// INVALID_RECORD (87), Kafka's <c>LogValidator</c> code. It is not retriable, unlike CORRUPT_MESSAGE, so a
/// client with a bug stops instead of resending the same bytes. Kafka answers an unknown codec with
/// UNKNOWN_SERVER_ERROR (an IllegalArgumentException); we do not copy that.</item>
/// <item>A CreateTime record outside <c>message.timestamp.before/after.max.ms</c>: INVALID_TIMESTAMP (32).</item>
/// </list>
/// Kafka 4.0 also refuses more than one batch per partition in a Produce v3+ request (INVALID_RECORD, same
/// <c>validateRecords</c>). We accept several because the broker's own writers may append them together; the
/// Produce handler enforces Kafka's one-batch rule if it wants Kafka's exact answer.
/// </remarks>
public static class RecordBatchValidator
{
    public static RecordValidationResult Validate(ReadOnlyMemory<byte> records, in RecordValidationOptions options)
    {
        if (records.IsEmpty)
        {
            return RecordValidationResult.Fail(ErrorCode.InvalidRecord, "the partition's records hold no record batch", 0);
        }

        var batches = new RecordBatchFacts[1];
        var batchCount = 0;
        var recordCount = 0L;
        var maxTimestamp = RecordBatch.NoTimestamp;
        var position = 0;
        while (position < records.Length)
        {
            var result = ValidateBatch(records, position, batchCount, options, out var facts);
            if (!result.IsValid)
            {
                return result;
            }

            if (batchCount == batches.Length)
            {
                Array.Resize(ref batches, batchCount * 2);
            }

            batches[batchCount++] = facts;
            recordCount += facts.RecordCount;
            maxTimestamp = Math.Max(maxTimestamp, facts.MaxTimestamp);
            position += facts.SizeInBytes;
        }

        if (recordCount > int.MaxValue)
        {
            return RecordValidationResult.Fail(ErrorCode.InvalidRecord, $"{recordCount} records in one request", batchCount - 1);
        }

        if (batchCount != batches.Length)
        {
            Array.Resize(ref batches, batchCount);
        }

        return new RecordValidationResult(ErrorCode.None, null, -1, -1, batches, (int)recordCount, maxTimestamp);
    }

    private static RecordValidationResult ValidateBatch(
        ReadOnlyMemory<byte> records, int position, int batchIndex, in RecordValidationOptions options, out RecordBatchFacts facts)
    {
        facts = default;
        var span = records.Span[position..];
        if (span.Length <= RecordBatch.MagicOffset)
        {
            return Corrupt(batchIndex, $"{span.Length} bytes at position {position} are too few for a batch header");
        }

        var magic = (sbyte)span[RecordBatch.MagicOffset];
        if (magic is 0 or 1)
        {
            return RecordValidationResult.Fail(ErrorCode.InvalidRecord,
                $"batches must use magic 2 (Produce v3+), found magic {magic}", batchIndex);
        }

        if (magic != RecordBatch.CurrentMagic)
        {
            return Corrupt(batchIndex, $"invalid magic {magic}");
        }

        var batchLength = RecordBatch.GetBatchLength(span);
        if (batchLength < RecordBatch.MinBatchLength)
        {
            return Corrupt(batchIndex, $"batch length {batchLength} is smaller than the minimum of {RecordBatch.MinBatchLength}");
        }

        if (batchLength > span.Length - RecordBatch.LogOverhead)
        {
            return Corrupt(batchIndex,
                $"batch length {batchLength} runs past the {span.Length - RecordBatch.LogOverhead} bytes that follow it");
        }

        var size = batchLength + RecordBatch.LogOverhead;
        if (size > options.MaxBatchBytes)
        {
            return RecordValidationResult.Fail(ErrorCode.MessageTooLarge,
                $"batch of {size} bytes exceeds the maximum of {options.MaxBatchBytes}", batchIndex);
        }

        var batch = span[..size];
        if (!RecordBatch.IsCrcValid(batch))
        {
            return Corrupt(batchIndex, $"CRC mismatch: stored {RecordBatch.GetCrc(batch):x8}, computed {RecordBatch.ComputeCrc(batch):x8}");
        }

        var header = CheckHeader(batch, batchIndex, options);
        if (!header.IsValid)
        {
            return header;
        }

        var codec = RecordBatch.GetCompressionCodec(batch);
        var count = RecordBatch.GetRecordsCount(batch);
        var outcome = codec == CompressionCodec.None
            ? ParseUncompressed(batch, count, options)
            : ParseCompressed(records.Slice(position + RecordBatch.HeaderSize, size - RecordBatch.HeaderSize), codec, count,
                RecordBatch.GetBaseTimestamp(batch), options);
        if (outcome.ErrorCode != ErrorCode.None)
        {
            return RecordValidationResult.Fail(outcome.ErrorCode, outcome.Message ?? "records do not parse", batchIndex, outcome.RecordIndex)
                with { KeylessRecords = outcome.KeylessRecords };
        }

        var maxTimestamp = count == 0 ? RecordBatch.GetMaxTimestamp(batch) : outcome.MaxTimestamp;
        facts = new RecordBatchFacts(position, size, count, RecordBatch.GetLastOffsetDelta(batch), maxTimestamp, codec);
        return RecordValidationResult.Passed;
    }

    private static RecordValidationResult CheckHeader(ReadOnlySpan<byte> batch, int batchIndex, in RecordValidationOptions options)
    {
        var attributes = RecordBatch.GetAttributes(batch);
        if ((attributes & ~RecordBatch.KnownAttributesMask) != 0)
        {
            return Invalid(batchIndex, $"attributes 0x{attributes:x4} set unused bits 7-15");
        }

        if ((attributes & RecordBatch.CompressionCodecMask) > (int)CompressionCodec.Zstd)
        {
            return Invalid(batchIndex, $"compression codec {attributes & RecordBatch.CompressionCodecMask} is unknown");
        }

        var count = RecordBatch.GetRecordsCount(batch);
        var lastOffsetDelta = RecordBatch.GetLastOffsetDelta(batch);
        if (count < 0 || (count == 0 && options.FromClient))
        {
            return Invalid(batchIndex, $"record count {count} is invalid");
        }

        if (count > 0 ? lastOffsetDelta != count - 1 : lastOffsetDelta < 0)
        {
            return Invalid(batchIndex, $"lastOffsetDelta {lastOffsetDelta} disagrees with the record count {count}");
        }

        // Fewer bytes than records is impossible (a record takes at least 7 bytes uncompressed); caught here so
        // a huge count cannot drive a long loop.
        if (RecordBatch.GetCompressionCodec(batch) == CompressionCodec.None && count > (batch.Length - RecordBatch.HeaderSize) / 7)
        {
            return Invalid(batchIndex, $"record count {count} cannot fit in {batch.Length - RecordBatch.HeaderSize} bytes");
        }

        if (options.FromClient)
        {
            if (RecordBatch.GetBaseOffset(batch) != 0)
            {
                return Invalid(batchIndex, $"a producer's batch must have base offset 0, not {RecordBatch.GetBaseOffset(batch)}");
            }

            if (RecordBatch.IsControlBatch(batch))
            {
                return Invalid(batchIndex, "producers may not write control batches");
            }

            if (RecordBatch.GetProducerId(batch) >= 0 && RecordBatch.GetBaseSequence(batch) < 0)
            {
                return Invalid(batchIndex, $"idempotent batch of producer {RecordBatch.GetProducerId(batch)} has sequence {RecordBatch.GetBaseSequence(batch)}");
            }
        }

        return RecordValidationResult.Passed;
    }

    private static RecordParser.Outcome ParseUncompressed(ReadOnlySpan<byte> batch, int count, in RecordValidationOptions options)
    {
        var source = new SpanRecordSource(batch[RecordBatch.HeaderSize..]);
        return RecordParser.Parse(ref source, count, RecordBatch.GetBaseTimestamp(batch), options);
    }

    private static RecordParser.Outcome ParseCompressed(
        ReadOnlyMemory<byte> compressed, CompressionCodec codec, int count, long baseTimestamp, in RecordValidationOptions options)
    {
        Stream stream;
        try
        {
            stream = Decompression.Open(codec, compressed, options.MaxUncompressedBytes);
        }
        catch (DecompressionLimitException e)
        {
            return new RecordParser.Outcome(ErrorCode.MessageTooLarge, e.Message, -1, RecordBatch.NoTimestamp);
        }
        catch (Exception e)
        {
            return new RecordParser.Outcome(ErrorCode.InvalidRecord, $"{codec} records do not decode: {e.Message}", -1, RecordBatch.NoTimestamp);
        }

        var source = new StreamRecordSource(stream, options.MaxUncompressedBytes);
        try
        {
            return RecordParser.Parse(ref source, count, baseTimestamp, options);
        }
        finally
        {
            source.Dispose();
        }
    }

    private static RecordValidationResult Corrupt(int batchIndex, string message) =>
        RecordValidationResult.Fail(ErrorCode.CorruptMessage, message, batchIndex);

    private static RecordValidationResult Invalid(int batchIndex, string message) =>
        RecordValidationResult.Fail(ErrorCode.InvalidRecord, message, batchIndex);
}
