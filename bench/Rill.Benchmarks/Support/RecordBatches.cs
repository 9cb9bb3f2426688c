using System.Text;
using Rill.Protocol.Records;

namespace Rill.Benchmarks.Support;

/// <summary>
/// Record batches as producers send them: records of a 100-byte JSON-like value and no key, timestamps one
/// millisecond apart. The value compresses about as well as typical event payloads (repeated field names,
/// varying digits), so codec numbers are neither best nor worst case.
/// </summary>
public static class RecordBatches
{
    public const int ValueSize = 100;

    public const long BaseTimestampMs = 1_700_000_000_000;

    /// <summary>Records in an uncompressed batch of about 16 KiB (61-byte header + 148 records of ~110 bytes).</summary>
    public const int RecordsPer16KiB = 148;

    /// <summary>One value: deterministic for a given index, exactly <see cref="ValueSize"/> bytes.</summary>
    public static byte[] Value(int index)
    {
        var random = new Random(index);
        var text = $"{{\"id\":{index:D8},\"user\":\"user-{random.Next(100_000):D5}\",\"event\":\"page_view\",\"ts\":{BaseTimestampMs + index},\"v\":{random.Next():D10}";
        var value = new byte[ValueSize];
        value.AsSpan().Fill((byte)' ');
        Encoding.ASCII.GetBytes(text, value);
        value[^1] = (byte)'}';
        return value;
    }

    /// <summary>A batch of <paramref name="recordCount"/> records with base offset <paramref name="baseOffset"/>.</summary>
    public static byte[] Build(int recordCount, CompressionCodec codec, long baseOffset = 0)
    {
        var builder = new RecordBatchBuilder(codec) { BaseOffset = baseOffset };
        for (var i = 0; i < recordCount; i++)
        {
            builder.Append(BaseTimestampMs + i, key: null, Value(i));
        }

        return builder.Build();
    }

    /// <summary>Uncompressed batches of <paramref name="recordsPerBatch"/> with consecutive offsets, as many as fit in <paramref name="maxBytes"/>.</summary>
    public static byte[] Consecutive(int maxBytes, int recordsPerBatch)
    {
        using var buffer = new MemoryStream();
        var baseOffset = 0L;
        while (true)
        {
            var batch = Build(recordsPerBatch, CompressionCodec.None, baseOffset);
            if (buffer.Length + batch.Length > maxBytes)
            {
                return buffer.ToArray();
            }

            buffer.Write(batch);
            baseOffset += recordsPerBatch;
        }
    }
}
