using System.Buffers.Binary;
using Rill.Common;

namespace Rill.Protocol.Records;

/// <summary>
/// Field offsets of a v2 record batch (magic 2) and accessors over its bytes. Every method takes the
/// batch starting at offset 0; accessors assume the header is present (callers check
/// <see cref="HeaderSize"/> first), rewrites assume the whole batch is present.
/// </summary>
/// <remarks>
/// The CRC-32C covers attributes through the last record, so base offset and partition leader epoch can be
/// stamped without touching it; attributes and timestamps cannot.
/// </remarks>
public static class RecordBatch
{
    public const int BaseOffsetOffset = 0;
    public const int BatchLengthOffset = 8;
    public const int PartitionLeaderEpochOffset = 12;
    public const int MagicOffset = 16;
    public const int CrcOffset = 17;
    public const int AttributesOffset = 21;
    public const int LastOffsetDeltaOffset = 23;
    public const int BaseTimestampOffset = 27;
    public const int MaxTimestampOffset = 35;
    public const int ProducerIdOffset = 43;
    public const int ProducerEpochOffset = 51;
    public const int BaseSequenceOffset = 53;
    public const int RecordsCountOffset = 57;

    /// <summary>Bytes before the first record (Kafka's <c>RECORD_BATCH_OVERHEAD</c>).</summary>
    public const int HeaderSize = 61;

    /// <summary>baseOffset + batchLength: the bytes not counted by batchLength (Kafka's <c>LOG_OVERHEAD</c>).</summary>
    public const int LogOverhead = 12;

    /// <summary>The smallest batchLength a v2 batch can have: a header with no records.</summary>
    public const int MinBatchLength = HeaderSize - LogOverhead;

    public const byte CurrentMagic = 2;
    public const long NoTimestamp = -1;
    public const long NoProducerId = -1;
    public const short NoProducerEpoch = -1;
    public const int NoSequence = -1;
    public const int NoPartitionLeaderEpoch = -1;

    public const short CompressionCodecMask = 0x07;
    public const short TimestampTypeMask = 0x08;
    public const short TransactionalMask = 0x10;
    public const short ControlMask = 0x20;
    public const short DeleteHorizonMask = 0x40;

    /// <summary>Bits 0-6; bits 7-15 are unused and must be zero.</summary>
    public const short KnownAttributesMask = 0x7F;

    public static long GetBaseOffset(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt64BigEndian(batch);

    public static int GetBatchLength(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt32BigEndian(batch[BatchLengthOffset..]);

    /// <summary>The whole batch in bytes: batchLength plus <see cref="LogOverhead"/>.</summary>
    public static int GetSizeInBytes(ReadOnlySpan<byte> batch) => GetBatchLength(batch) + LogOverhead;

    public static int GetPartitionLeaderEpoch(ReadOnlySpan<byte> batch) =>
        BinaryPrimitives.ReadInt32BigEndian(batch[PartitionLeaderEpochOffset..]);

    public static byte GetMagic(ReadOnlySpan<byte> batch) => batch[MagicOffset];

    public static uint GetCrc(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadUInt32BigEndian(batch[CrcOffset..]);

    public static short GetAttributes(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt16BigEndian(batch[AttributesOffset..]);

    public static CompressionCodec GetCompressionCodec(ReadOnlySpan<byte> batch) =>
        (CompressionCodec)(GetAttributes(batch) & CompressionCodecMask);

    public static TimestampType GetTimestampType(ReadOnlySpan<byte> batch) =>
        (GetAttributes(batch) & TimestampTypeMask) != 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime;

    public static bool IsTransactional(ReadOnlySpan<byte> batch) => (GetAttributes(batch) & TransactionalMask) != 0;

    public static bool IsControlBatch(ReadOnlySpan<byte> batch) => (GetAttributes(batch) & ControlMask) != 0;

    public static int GetLastOffsetDelta(ReadOnlySpan<byte> batch) =>
        BinaryPrimitives.ReadInt32BigEndian(batch[LastOffsetDeltaOffset..]);

    public static long GetLastOffset(ReadOnlySpan<byte> batch) => GetBaseOffset(batch) + GetLastOffsetDelta(batch);

    /// <summary>The offset after this batch: where the next batch's base offset goes.</summary>
    public static long GetNextOffset(ReadOnlySpan<byte> batch) => GetLastOffset(batch) + 1;

    public static long GetBaseTimestamp(ReadOnlySpan<byte> batch) =>
        BinaryPrimitives.ReadInt64BigEndian(batch[BaseTimestampOffset..]);

    public static long GetMaxTimestamp(ReadOnlySpan<byte> batch) =>
        BinaryPrimitives.ReadInt64BigEndian(batch[MaxTimestampOffset..]);

    public static long GetProducerId(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt64BigEndian(batch[ProducerIdOffset..]);

    public static short GetProducerEpoch(ReadOnlySpan<byte> batch) =>
        BinaryPrimitives.ReadInt16BigEndian(batch[ProducerEpochOffset..]);

    public static int GetBaseSequence(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt32BigEndian(batch[BaseSequenceOffset..]);

    public static int GetRecordsCount(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt32BigEndian(batch[RecordsCountOffset..]);

    /// <summary>
    /// Set by the log cleaner on a batch it kept tombstones in (KIP-534): baseTimestamp then holds the time after
    /// which those tombstones may be removed, and record timestamps are deltas from it.
    /// </summary>
    public static bool HasDeleteHorizon(ReadOnlySpan<byte> batch) => (GetAttributes(batch) & DeleteHorizonMask) != 0;

    /// <summary>The delete horizon (KIP-534) when <see cref="HasDeleteHorizon"/>, else <see cref="NoTimestamp"/>.</summary>
    public static long GetDeleteHorizonMs(ReadOnlySpan<byte> batch) => HasDeleteHorizon(batch) ? GetBaseTimestamp(batch) : NoTimestamp;

    /// <summary>The CRC-32C the batch should carry: attributes through the end of <paramref name="batch"/>.</summary>
    public static uint ComputeCrc(ReadOnlySpan<byte> batch) => Crc32C.Compute(batch[AttributesOffset..]);

    /// <summary>True when the stored CRC matches; <paramref name="batch"/> must be exactly one batch.</summary>
    public static bool IsCrcValid(ReadOnlySpan<byte> batch) => GetCrc(batch) == ComputeCrc(batch);

    /// <summary>Outside the CRC: no recomputation needed.</summary>
    public static void SetBaseOffset(Span<byte> batch, long baseOffset) =>
        BinaryPrimitives.WriteInt64BigEndian(batch, baseOffset);

    /// <summary>Outside the CRC: no recomputation needed.</summary>
    public static void SetPartitionLeaderEpoch(Span<byte> batch, int leaderEpoch) =>
        BinaryPrimitives.WriteInt32BigEndian(batch[PartitionLeaderEpochOffset..], leaderEpoch);

    /// <summary>Recomputes and stores the CRC after a covered field changed.</summary>
    public static void WriteCrc(Span<byte> batch) =>
        BinaryPrimitives.WriteUInt32BigEndian(batch[CrcOffset..], ComputeCrc(batch));

    /// <summary>
    /// Sets the timestamp type bit and maxTimestamp, recomputing the CRC only when either changed. As Kafka's
    /// in-place path does, baseTimestamp and the records stay as sent: readers of a LogAppendTime batch take
    /// every record's timestamp from maxTimestamp. Returns true when the bytes changed.
    /// </summary>
    public static bool SetMaxTimestamp(Span<byte> batch, TimestampType timestampType, long maxTimestamp)
    {
        var attributes = GetAttributes(batch);
        var newAttributes = timestampType == TimestampType.LogAppendTime
            ? (short)(attributes | TimestampTypeMask)
            : (short)(attributes & ~TimestampTypeMask);
        if (newAttributes == attributes && GetMaxTimestamp(batch) == maxTimestamp)
        {
            return false;
        }

        BinaryPrimitives.WriteInt16BigEndian(batch[AttributesOffset..], newAttributes);
        BinaryPrimitives.WriteInt64BigEndian(batch[MaxTimestampOffset..], maxTimestamp);
        WriteCrc(batch);
        return true;
    }

    /// <summary>Stamps the broker's append time: <see cref="SetMaxTimestamp"/> with <see cref="TimestampType.LogAppendTime"/>.</summary>
    public static bool SetLogAppendTime(Span<byte> batch, long logAppendTimeMs) =>
        SetMaxTimestamp(batch, TimestampType.LogAppendTime, logAppendTimeMs);
}
