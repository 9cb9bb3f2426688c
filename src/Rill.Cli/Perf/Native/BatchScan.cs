using Rill.Protocol.Records;

namespace Rill.Cli.Perf.Native;

/// <summary>
/// Counts the records of a Fetch response's record batches from their headers alone (recordsCount, lastOffsetDelta),
/// never decoding a record: the consumer measures the brokers, not a parser.
/// </summary>
internal static class BatchScan
{
    /// <summary>What one partition's records held.</summary>
    /// <param name="NextOffset">Where the next fetch starts: after the last whole batch.</param>
    /// <param name="WholeBatches">Whole batches seen (a batch cut off at the end by the size limits is not).</param>
    public readonly record struct Result(long Records, long Bytes, long NextOffset, int WholeBatches);

    /// <summary>
    /// Scans the batches in <paramref name="records"/> fetched from <paramref name="fetchOffset"/>. Control batches
    /// (transaction markers) move the offset on but hold no data records. A batch that starts before the fetch
    /// offset (the broker returns the batch that contains it) counts only its records from the fetch offset on,
    /// reckoned from offsets, which is exact unless compaction removed records from it.
    /// </summary>
    /// <exception cref="InvalidDataException">A batch header is malformed or not magic 2.</exception>
    public static Result Scan(ReadOnlySpan<byte> records, long fetchOffset)
    {
        long count = 0;
        long bytes = 0;
        var next = fetchOffset;
        var batches = 0;
        var position = 0;
        while (records.Length - position >= RecordBatch.HeaderSize)
        {
            var batch = records[position..];
            var batchLength = RecordBatch.GetBatchLength(batch);
            if (batchLength < RecordBatch.MinBatchLength)
            {
                throw new InvalidDataException($"a record batch at offset {RecordBatch.GetBaseOffset(batch)} claims {batchLength} bytes");
            }

            var size = batchLength + RecordBatch.LogOverhead;
            if (size > batch.Length)
            {
                break;
            }

            if (RecordBatch.GetMagic(batch) != RecordBatch.CurrentMagic)
            {
                throw new InvalidDataException($"a record batch at offset {RecordBatch.GetBaseOffset(batch)} has magic {RecordBatch.GetMagic(batch)}; only magic 2 is counted");
            }

            batches++;
            var lastOffset = RecordBatch.GetLastOffset(batch);
            if (lastOffset >= next)
            {
                if (!RecordBatch.IsControlBatch(batch))
                {
                    var skipped = Math.Max(0, next - RecordBatch.GetBaseOffset(batch));
                    count += Math.Max(0, RecordBatch.GetRecordsCount(batch) - skipped);
                    bytes += size;
                }

                next = lastOffset + 1;
            }

            position += size;
        }

        return new Result(count, bytes, next, batches);
    }
}
