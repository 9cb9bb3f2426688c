using System.Buffers.Binary;
using Rill.Common;
using Rill.Protocol;
using Rill.Protocol.Records;

namespace Rill.Raft;

/// <summary>
/// Builds and reads the record batches of the Raft log and of snapshots: Kafka v2 batches (CRC-32C) whose partition
/// leader epoch is the Raft epoch, data records with a null key and the caller's bytes as value, and control batches
/// (attribute bit 5) holding one record keyed <c>version int16, type int16</c> (kafka: <c>MemoryRecordsBuilder.appendControlRecord</c>).
/// </summary>
internal static class RaftBatches
{
    /// <summary>Kafka's limit for one Raft batch (<c>KafkaRaftClient.MAX_BATCH_SIZE_BYTES</c>).</summary>
    public const int MaxBatchSizeBytes = 8 * 1024 * 1024;

    /// <summary>Kafka's current version of every control record value the KRaft log carries (<c>ControlRecordUtils</c>).</summary>
    public const short ControlRecordVersion = 0;

    private const int ControlKeySize = 4;

    // A batch of ours is never compressed; a compressed one from elsewhere may inflate this far before we refuse it.
    private const long MaxUncompressedBytes = 64L * 1024 * 1024;

    public static byte[] BuildData(long baseOffset, int epoch, long timestampMs, IReadOnlyList<ReadOnlyMemory<byte>> records)
    {
        var builder = new RecordBatchBuilder(CompressionCodec.None) { BaseOffset = baseOffset, PartitionLeaderEpoch = epoch };
        foreach (var record in records)
        {
            builder.Append(timestampMs, key: null, record.ToArray());
        }

        return builder.Build();
    }

    public static byte[] BuildControl<T>(long baseOffset, int epoch, long timestampMs, ControlRecordType type, T message)
        where T : IKafkaMessage
    {
        var builder = new RecordBatchBuilder(CompressionCodec.None)
        {
            BaseOffset = baseOffset,
            PartitionLeaderEpoch = epoch,
            IsControlBatch = true,
        };
        builder.Append(timestampMs, ControlKey(type), KafkaMessage.Serialize(message, ControlRecordVersion));
        return builder.Build();
    }

    public static byte[] ControlKey(ControlRecordType type)
    {
        var key = new byte[ControlKeySize];
        BinaryPrimitives.WriteInt16BigEndian(key, 0);
        BinaryPrimitives.WriteInt16BigEndian(key.AsSpan(2), (short)type);
        return key;
    }

    /// <summary>The size of the whole batch at the start of <paramref name="buffer"/>, or false when it is not all there.</summary>
    public static bool TryGetBatchSize(ReadOnlySpan<byte> buffer, out int size)
    {
        size = 0;
        if (buffer.Length < RecordBatch.HeaderSize)
        {
            return false;
        }

        var length = RecordBatch.GetBatchLength(buffer);
        if (length < RecordBatch.MinBatchLength || length > buffer.Length - RecordBatch.LogOverhead)
        {
            return false;
        }

        size = length + RecordBatch.LogOverhead;
        return true;
    }

    /// <summary>
    /// The whole batches in <paramref name="records"/>, in order; a torn tail ends the walk, and
    /// <paramref name="consumed"/> says how many bytes the whole batches took.
    /// </summary>
    public static List<ReadOnlyMemory<byte>> Split(ReadOnlyMemory<byte> records, out int consumed)
    {
        var batches = new List<ReadOnlyMemory<byte>>();
        consumed = 0;
        while (TryGetBatchSize(records.Span[consumed..], out var size))
        {
            batches.Add(records.Slice(consumed, size));
            consumed += size;
        }

        return batches;
    }

    /// <summary>The control record type of a control batch (its first record's key), or false for a data batch or a malformed key.</summary>
    public static bool TryGetControlType(ReadOnlySpan<byte> batch, out ControlRecordType type)
    {
        type = default;
        if (!RecordBatch.IsControlBatch(batch))
        {
            return false;
        }

        var reader = new RecordReader(batch, MaxUncompressedBytes);
        try
        {
            if (!reader.TryReadNext(out var record) || record.IsKeyNull || record.Key.Length < ControlKeySize)
            {
                return false;
            }

            type = (ControlRecordType)BinaryPrimitives.ReadInt16BigEndian(record.Key[2..]);
            return true;
        }
        finally
        {
            reader.Dispose();
        }
    }

    /// <summary>The value of the first record of a control batch, copied out.</summary>
    public static byte[] ReadControlValue(ReadOnlySpan<byte> batch)
    {
        var reader = new RecordReader(batch, MaxUncompressedBytes);
        try
        {
            if (!reader.TryReadNext(out var record) || record.IsValueNull)
            {
                throw new KafkaException(ErrorCode.CorruptMessage, "a control batch of the metadata log holds no record value");
            }

            return record.Value.ToArray();
        }
        finally
        {
            reader.Dispose();
        }
    }

    /// <summary>
    /// A data batch as listeners get it: each record's value, copied so that it outlives the buffer the log read into.
    /// A batch whose records do not parse is corrupt committed data, which no listener may skip.
    /// </summary>
    public static RaftBatch ToRaftBatch(ReadOnlySpan<byte> batch)
    {
        // A control batch (LeaderChange, snapshot markers) carries no data records, but listeners still learn its offsets.
        if (RecordBatch.IsControlBatch(batch))
        {
            return new RaftBatch(
                RecordBatch.GetBaseOffset(batch),
                RecordBatch.GetLastOffset(batch),
                RecordBatch.GetPartitionLeaderEpoch(batch),
                RecordBatch.GetMaxTimestamp(batch),
                []);
        }

        var values = new List<ReadOnlyMemory<byte>>(Math.Max(RecordBatch.GetRecordsCount(batch), 0));
        var reader = new RecordReader(batch, MaxUncompressedBytes);
        try
        {
            while (reader.TryReadNext(out var record))
            {
                values.Add(record.IsValueNull ? ReadOnlyMemory<byte>.Empty : record.Value.ToArray());
            }

            if (reader.ErrorCode != ErrorCode.None)
            {
                throw new KafkaException(reader.ErrorCode,
                    $"the metadata log batch at offset {RecordBatch.GetBaseOffset(batch)} does not parse ({reader.ErrorCode})");
            }
        }
        finally
        {
            reader.Dispose();
        }

        return new RaftBatch(
            RecordBatch.GetBaseOffset(batch),
            RecordBatch.GetLastOffset(batch),
            RecordBatch.GetPartitionLeaderEpoch(batch),
            RecordBatch.GetMaxTimestamp(batch),
            values);
    }
}
