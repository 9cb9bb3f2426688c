using System.Buffers;
using System.Buffers.Binary;
using Rill.Common;

namespace Rill.Protocol.Records;

/// <summary>
/// Copies a v2 batch keeping only the records a filter retains, as Kafka's log cleaner does (<c>MemoryRecords.filterTo</c>).
/// A rebuilt batch keeps its base offset and lastOffsetDelta, so surviving records keep their offsets and a producer's
/// last sequence survives, and copies the producer id, epoch, base sequence, partition leader epoch and the
/// transactional and control flags; its records are re-encoded with their own offsets and timestamps, compressed
/// again with the batch's own codec (snappy keeps its framing), and the CRC-32C is recomputed. A batch that loses
/// nothing is written back byte for byte. Keeps its scratch buffers between calls; not thread-safe.
/// </summary>
public sealed class RecordBatchFilter
{
    private readonly ArrayBufferWriter<byte> _records = new();
    private readonly ArrayBufferWriter<byte> _compressed = new();
    private bool[] _retained = new bool[64];

    /// <summary>
    /// Runs <paramref name="filter"/> over every record of <paramref name="batch"/> (one whole batch whose CRC the caller
    /// checked) and writes what it keeps to <paramref name="output"/>. When a kept record is a tombstone (null value) and
    /// the batch carries no delete horizon yet, the rebuilt batch gets <paramref name="newDeleteHorizonMs"/> (KIP-534).
    /// A compressed batch is inflated once, at most <paramref name="maxUncompressedBytes"/>.
    /// </summary>
    public RecordFilterResult FilterTo<TFilter>(ReadOnlySpan<byte> batch, ref TFilter filter, long newDeleteHorizonMs,
        long maxUncompressedBytes, IBufferWriter<byte> output)
        where TFilter : IRecordFilter, allows ref struct
    {
        if (batch.Length < RecordBatch.HeaderSize || RecordBatch.GetMagic(batch) != RecordBatch.CurrentMagic
            || RecordBatch.GetSizeInBytes(batch) != batch.Length || RecordBatch.GetRecordsCount(batch) < 0)
        {
            return new RecordFilterResult(RecordFilterOutcome.Corrupt, ErrorCode.CorruptMessage, 0, 0, 0);
        }

        var reader = new RecordReader(batch, maxUncompressedBytes);
        try
        {
            var read = 0;
            var retained = 0;
            var retainsTombstone = false;
            while (reader.TryReadNext(out var record))
            {
                var keep = filter.Retain(in record);
                if (read == _retained.Length)
                {
                    Array.Resize(ref _retained, read * 2);
                }

                _retained[read++] = keep;
                if (keep)
                {
                    retained++;
                    retainsTombstone |= record.IsValueNull;
                }
            }

            if (reader.ErrorCode != ErrorCode.None || read != RecordBatch.GetRecordsCount(batch))
            {
                var code = reader.ErrorCode != ErrorCode.None ? reader.ErrorCode : ErrorCode.CorruptMessage;
                return new RecordFilterResult(RecordFilterOutcome.Corrupt, code, read, 0, 0);
            }

            var stampHorizon = retainsTombstone && !RecordBatch.HasDeleteHorizon(batch);
            if (retained == read && !stampHorizon)
            {
                output.Write(batch);
                return new RecordFilterResult(RecordFilterOutcome.Unchanged, ErrorCode.None, read, retained, batch.Length);
            }

            if (retained == 0)
            {
                return new RecordFilterResult(RecordFilterOutcome.Emptied, ErrorCode.None, read, 0, 0);
            }

            reader.Rewind();
            var written = WriteRetained(batch, ref reader, retained, stampHorizon ? newDeleteHorizonMs : RecordBatch.GetDeleteHorizonMs(batch), output);
            return new RecordFilterResult(RecordFilterOutcome.Rewritten, ErrorCode.None, read, retained, written);
        }
        finally
        {
            reader.Dispose();
        }
    }

    /// <summary>
    /// Writes only the header of <paramref name="batch"/>: no records, no compression, the same base offset, lastOffsetDelta
    /// and producer fields, both timestamps set to its maxTimestamp, as Kafka keeps a producer's last batch once
    /// compaction emptied it, so the producer's sequence and epoch survive. Returns the bytes written.
    /// </summary>
    public static int WriteEmptyBatch(ReadOnlySpan<byte> batch, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(RecordBatch.HeaderSize)[..RecordBatch.HeaderSize];
        batch[..RecordBatch.HeaderSize].CopyTo(span);
        var attributes = (short)(RecordBatch.GetAttributes(batch) & ~(RecordBatch.CompressionCodecMask | RecordBatch.DeleteHorizonMask));
        var maxTimestamp = RecordBatch.GetMaxTimestamp(batch);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.BatchLengthOffset..], RecordBatch.MinBatchLength);
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatch.AttributesOffset..], attributes);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatch.BaseTimestampOffset..], maxTimestamp);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.RecordsCountOffset..], 0);
        RecordBatch.WriteCrc(span);
        output.Advance(RecordBatch.HeaderSize);
        return RecordBatch.HeaderSize;
    }

    private int WriteRetained(ReadOnlySpan<byte> batch, ref RecordReader reader, int retained, long deleteHorizonMs, IBufferWriter<byte> output)
    {
        var baseOffset = RecordBatch.GetBaseOffset(batch);
        var logAppendTime = RecordBatch.GetTimestampType(batch) == TimestampType.LogAppendTime;
        var baseTimestamp = deleteHorizonMs;
        var maxTimestamp = logAppendTime ? RecordBatch.GetMaxTimestamp(batch) : RecordBatch.NoTimestamp;
        var haveBase = deleteHorizonMs != RecordBatch.NoTimestamp;
        _records.ResetWrittenCount();
        var index = 0;
        while (reader.TryReadNext(out var record))
        {
            if (!_retained[index++])
            {
                continue;
            }

            if (!haveBase)
            {
                baseTimestamp = record.Timestamp;
                haveBase = true;
            }

            if (!logAppendTime)
            {
                maxTimestamp = Math.Max(maxTimestamp, record.Timestamp);
            }

            WriteRecord(_records, record, record.Offset - baseOffset, record.Timestamp - baseTimestamp);
        }

        var codec = RecordBatch.GetCompressionCodec(batch);
        var payload = _records.WrittenSpan;
        if (codec != CompressionCodec.None)
        {
            _compressed.ResetWrittenCount();
            var xerial = codec == CompressionCodec.Snappy && XerialSnappyStream.HasHeader(batch[RecordBatch.HeaderSize..]);
            Compression.Compress(codec, payload, xerial, _compressed);
            payload = _compressed.WrittenSpan;
        }

        var size = RecordBatch.HeaderSize + payload.Length;
        var span = output.GetSpan(size)[..size];
        batch[..RecordBatch.HeaderSize].CopyTo(span);
        var attributes = RecordBatch.GetAttributes(batch);
        if (deleteHorizonMs != RecordBatch.NoTimestamp)
        {
            attributes |= RecordBatch.DeleteHorizonMask;
        }

        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.BatchLengthOffset..], size - RecordBatch.LogOverhead);
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatch.AttributesOffset..], attributes);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatch.BaseTimestampOffset..], baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatch.MaxTimestampOffset..], maxTimestamp);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.RecordsCountOffset..], retained);
        payload.CopyTo(span[RecordBatch.HeaderSize..]);
        RecordBatch.WriteCrc(span);
        output.Advance(size);
        return size;
    }

    /// <summary>One record as <see cref="RecordBatchBuilder"/> lays it out, its key, value and headers copied as they were.</summary>
    private static void WriteRecord(ArrayBufferWriter<byte> output, in RecordView record, long offsetDelta, long timestampDelta)
    {
        var keySize = record.IsKeyNull ? VarInt.SizeOfSigned(-1) : VarInt.SizeOfSigned(record.Key.Length) + record.Key.Length;
        var valueSize = record.IsValueNull ? VarInt.SizeOfSigned(-1) : VarInt.SizeOfSigned(record.Value.Length) + record.Value.Length;
        var headers = record.RawHeaders;
        var bodySize = 1 + VarInt.SizeOfSignedLong(timestampDelta) + VarInt.SizeOfSigned((int)offsetDelta) + keySize + valueSize
            + VarInt.SizeOfSigned(record.HeaderCount) + headers.Length;
        var span = output.GetSpan(VarInt.SizeOfSigned(bodySize) + bodySize);
        var position = VarInt.WriteSigned(span, bodySize);
        span[position++] = 0;
        position += VarInt.WriteSignedLong(span[position..], timestampDelta);
        position += VarInt.WriteSigned(span[position..], (int)offsetDelta);
        position += WriteBytes(span[position..], record.Key, record.IsKeyNull);
        position += WriteBytes(span[position..], record.Value, record.IsValueNull);
        position += VarInt.WriteSigned(span[position..], record.HeaderCount);
        headers.CopyTo(span[position..]);
        output.Advance(position + headers.Length);
    }

    private static int WriteBytes(Span<byte> destination, ReadOnlySpan<byte> bytes, bool isNull)
    {
        if (isNull)
        {
            return VarInt.WriteSigned(destination, -1);
        }

        var length = VarInt.WriteSigned(destination, bytes.Length);
        bytes.CopyTo(destination[length..]);
        return length + bytes.Length;
    }
}
