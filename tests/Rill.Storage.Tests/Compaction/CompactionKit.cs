using System.Text;
using Rill.Common;
using Rill.Protocol.Records;

namespace Rill.Storage.Tests.Compaction;

/// <summary>One record as read back: offset, timestamp, key and value as text (null when null).</summary>
internal readonly record struct Row(long Offset, long Timestamp, string? Key, string? Value);

/// <summary>One batch as read back.</summary>
internal readonly record struct BatchShape(long BaseOffset, long LastOffset, int RecordCount, CompressionCodec Codec, long ProducerId, bool HasDeleteHorizon);

/// <summary>Keyed batches in, records and batch shapes out, for the compaction tests.</summary>
internal static class CompactionKit
{
    /// <summary>A compacted log with segments large enough that only <see cref="AppendInNewSegment"/> rolls them.</summary>
    public static readonly LogConfig Compacted = LogConfig.Default with
    {
        CleanupPolicy = CleanupPolicy.Compact,
        SegmentBytes = 1024 * 1024,
        IndexIntervalBytes = 0,
    };

    /// <summary>One batch of (key, value) records with timestamps <paramref name="timestamp"/>, +1, ...</summary>
    public static byte[] Batch(long timestamp, params (string? Key, string? Value)[] records) =>
        Batch(timestamp, CompressionCodec.None, records);

    public static byte[] Batch(long timestamp, CompressionCodec codec, params (string? Key, string? Value)[] records) =>
        Build(new RecordBatchBuilder(codec), timestamp, records);

    public static byte[] Build(RecordBatchBuilder builder, long timestamp, params (string? Key, string? Value)[] records)
    {
        for (var i = 0; i < records.Length; i++)
        {
            builder.Append(timestamp + i, Bytes(records[i].Key), Bytes(records[i].Value));
        }

        return builder.Build();
    }

    /// <summary>Appends <paramref name="batch"/> as the first batch of a new segment: the active segment rolls first unless it is empty.</summary>
    public static AppendResult AppendInNewSegment(Log log, byte[] batch, AppendOrigin origin = AppendOrigin.Client)
    {
        var config = log.Config;
        log.Config = config with { SegmentBytes = Math.Max(14, batch.Length) };
        try
        {
            var result = log.AppendAsLeader(batch.ToArray(), 0, origin);
            Assert.Equal(ErrorCode.None, result.ErrorCode);
            return result;
        }
        finally
        {
            log.Config = config;
        }
    }

    /// <summary>Publishes everything as committed (the replication layer's job) and runs one compaction pass.</summary>
    public static int Compact(StorageFixture fixture, Log log)
    {
        log.HighWatermark = log.LogEndOffset;
        return fixture.Manager.RunCompaction();
    }

    /// <summary>Every record from <paramref name="offset"/> to the log end, read through the public API; checks every batch's CRC and order.</summary>
    public static List<Row> ReadRows(Log log, long offset = 0)
    {
        var rows = new List<Row>();
        foreach (var batch in ReadBatchBytes(log, offset))
        {
            var reader = new RecordReader(batch, 64 * 1024 * 1024);
            try
            {
                while (reader.TryReadNext(out var record))
                {
                    rows.Add(new Row(record.Offset, record.Timestamp, Text(record.Key, record.IsKeyNull), Text(record.Value, record.IsValueNull)));
                }

                Assert.Equal(ErrorCode.None, reader.ErrorCode);
            }
            finally
            {
                reader.Dispose();
            }
        }

        return rows;
    }

    public static List<BatchShape> ReadShapes(Log log, long offset = 0) =>
        [.. ReadBatchBytes(log, offset).Select(b => new BatchShape(RecordBatch.GetBaseOffset(b), RecordBatch.GetLastOffset(b),
            RecordBatch.GetRecordsCount(b), RecordBatch.GetCompressionCodec(b), RecordBatch.GetProducerId(b), RecordBatch.HasDeleteHorizon(b)))];

    /// <summary>Whole batches from <paramref name="offset"/> on, each CRC-valid, in ascending offset order.</summary>
    public static List<byte[]> ReadBatchBytes(Log log, long offset = 0)
    {
        var batches = new List<byte[]>();
        var next = offset;
        while (next < log.LogEndOffset)
        {
            using var result = log.Read(next, 64 * 1024, log.LogEndOffset, minOneBatch: true);
            Assert.Equal(ErrorCode.None, result.ErrorCode);
            if (result.Records.IsEmpty)
            {
                break;
            }

            var records = result.Records.Span;
            while (!records.IsEmpty)
            {
                var batch = records[..RecordBatch.GetSizeInBytes(records)].ToArray();
                Assert.True(RecordBatch.IsCrcValid(batch), $"batch at offset {RecordBatch.GetBaseOffset(batch)} fails its CRC");
                Assert.True(batches.Count == 0 || RecordBatch.GetBaseOffset(batch) > RecordBatch.GetLastOffset(batches[^1]));
                batches.Add(batch);
                next = RecordBatch.GetNextOffset(batch);
                records = records[batch.Length..];
            }
        }

        return batches;
    }

    /// <summary>The (key, value) pairs of <paramref name="rows"/>, for comparing contents without offsets.</summary>
    public static List<(string? Key, string? Value)> Pairs(IEnumerable<Row> rows) => [.. rows.Select(r => (r.Key, r.Value))];

    private static byte[]? Bytes(string? text) => text is null ? null : Encoding.UTF8.GetBytes(text);

    private static string? Text(ReadOnlySpan<byte> bytes, bool isNull) => isNull ? null : Encoding.UTF8.GetString(bytes);
}
