using Rill.Cli.Perf.Native;
using Rill.Protocol.Records;

namespace Rill.Cli.Tests;

/// <summary>The native consumer counts records from batch headers: whole batches only, control batches skipped, offsets moved on.</summary>
public sealed class PerfBatchScanTests
{
    [Fact]
    public void Scan_CountsWholeBatches_SkipsControlBatches_AndStopsAtACutOffBatch()
    {
        var first = Batch(baseOffset: 10, records: 3);
        var control = new RecordBatchBuilder(CompressionCodec.None) { BaseOffset = 13, IsControlBatch = true, IsTransactional = true }
            .Append(0, [0, 0, 0, 0], [0, 0, 0, 0, 0, 0]).Build();
        var second = Batch(baseOffset: 14, records: 5);
        var cutOff = Batch(baseOffset: 19, records: 2);
        byte[] records = [.. first, .. control, .. second, .. cutOff.AsSpan(0, cutOff.Length - 1)];

        var result = BatchScan.Scan(records, fetchOffset: 10);

        Assert.Equal(8, result.Records);
        Assert.Equal(first.Length + second.Length, result.Bytes);
        Assert.Equal(19, result.NextOffset);
        Assert.Equal(3, result.WholeBatches);
    }

    [Fact]
    public void Scan_FromInsideABatch_CountsOnlyTheRecordsFromTheFetchOffset()
    {
        var result = BatchScan.Scan(Batch(baseOffset: 100, records: 10), fetchOffset: 104);
        Assert.Equal(6, result.Records);
        Assert.Equal(110, result.NextOffset);
    }

    [Fact]
    public void Scan_OfAnOldMagic_Fails()
    {
        var batch = Batch(baseOffset: 0, records: 1);
        batch[RecordBatch.MagicOffset] = 1;
        Assert.Throws<InvalidDataException>(() => BatchScan.Scan(batch, fetchOffset: 0));
    }

    private static byte[] Batch(long baseOffset, int records)
    {
        var builder = new RecordBatchBuilder(CompressionCodec.None) { BaseOffset = baseOffset };
        for (var i = 0; i < records; i++)
        {
            builder.Append(1_700_000_000_000, null, [1, 2, 3]);
        }

        return builder.Build();
    }
}
