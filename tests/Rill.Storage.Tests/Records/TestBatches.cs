using System.Text;
using Rill.Protocol.Records;

namespace Rill.Storage.Tests.Records;

/// <summary>Batches for tests, built with <see cref="RecordBatchBuilder"/>.</summary>
internal static class TestBatches
{
    /// <summary><paramref name="count"/> records "k{i}"/"v{i}" with timestamps firstTimestamp + i.</summary>
    public static byte[] Build(int count, long firstTimestamp, CompressionCodec codec = CompressionCodec.None, bool xerial = false, int valueSize = 0)
    {
        var builder = new RecordBatchBuilder(codec) { XerialSnappyFraming = xerial };
        for (var i = 0; i < count; i++)
        {
            var value = valueSize > 0 ? new byte[valueSize] : Encoding.UTF8.GetBytes($"v{i}");
            builder.Append(firstTimestamp + i, Encoding.UTF8.GetBytes($"k{i}"), value);
        }

        return builder.Build();
    }

    public static byte[] Concat(params byte[][] batches) => [.. batches.SelectMany(b => b)];

    /// <summary>Recomputes the CRC after a test changed covered bytes on purpose.</summary>
    public static byte[] WithCrcFixed(byte[] batch)
    {
        RecordBatch.WriteCrc(batch);
        return batch;
    }
}
