using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Rill.Common;

namespace Rill.Protocol.Records;

/// <summary>
/// Builds one v2 batch from records, uncompressed or compressed. For tests, the broker's internal topics
/// and load tools; the Produce path never builds batches. Records get offset deltas 0..n-1 and
/// baseTimestamp is the first record's timestamp, as Kafka's producer writes them.
/// </summary>
public sealed class RecordBatchBuilder
{
    private readonly ArrayBufferWriter<byte> _records = new();
    private int _count;
    private long _baseTimestamp = RecordBatch.NoTimestamp;
    private long _maxTimestamp = RecordBatch.NoTimestamp;

    public RecordBatchBuilder(CompressionCodec codec)
    {
        Codec = codec;
    }

    public CompressionCodec Codec { get; }

    /// <summary>Frame snappy as snappy-java does (Java client, kafka-python) instead of one raw block (librdkafka).</summary>
    public bool XerialSnappyFraming { get; init; }

    public long BaseOffset { get; init; }

    public int PartitionLeaderEpoch { get; init; } = RecordBatch.NoPartitionLeaderEpoch;

    public long ProducerId { get; init; } = RecordBatch.NoProducerId;

    public short ProducerEpoch { get; init; } = RecordBatch.NoProducerEpoch;

    public int BaseSequence { get; init; } = RecordBatch.NoSequence;

    public bool IsTransactional { get; init; }

    public bool IsControlBatch { get; init; }

    public int Count => _count;

    public RecordBatchBuilder Append(long timestamp, byte[]? key, byte[]? value) => Append(timestamp, key, value, []);

    public RecordBatchBuilder Append(long timestamp, byte[]? key, byte[]? value, IReadOnlyList<RecordHeader> headers)
    {
        if (_count == 0)
        {
            _baseTimestamp = timestamp;
        }

        _maxTimestamp = Math.Max(_maxTimestamp, timestamp);
        var timestampDelta = timestamp - _baseTimestamp;
        var bodySize = 1 + VarInt.SizeOfSignedLong(timestampDelta) + VarInt.SizeOfSigned(_count)
            + SizeOfBytes(key) + SizeOfBytes(value) + VarInt.SizeOfSigned(headers.Count);
        foreach (var header in headers)
        {
            var keyLength = Encoding.UTF8.GetByteCount(header.Key);
            bodySize += VarInt.SizeOfSigned(keyLength) + keyLength + SizeOfBytes(header.Value);
        }

        var span = _records.GetSpan(VarInt.SizeOfSigned(bodySize) + bodySize);
        var position = VarInt.WriteSigned(span, bodySize);
        span[position++] = 0;
        position += VarInt.WriteSignedLong(span[position..], timestampDelta);
        position += VarInt.WriteSigned(span[position..], _count);
        position += WriteBytes(span[position..], key);
        position += WriteBytes(span[position..], value);
        position += VarInt.WriteSigned(span[position..], headers.Count);
        foreach (var header in headers)
        {
            var keyLength = Encoding.UTF8.GetByteCount(header.Key);
            position += VarInt.WriteSigned(span[position..], keyLength);
            position += Encoding.UTF8.GetBytes(header.Key, span[position..]);
            position += WriteBytes(span[position..], header.Value);
        }

        _records.Advance(position);
        _count++;
        return this;
    }

    /// <summary>The batch's bytes with a correct CRC. An empty builder makes an empty batch.</summary>
    public byte[] Build()
    {
        var payload = _records.WrittenSpan;
        ArrayBufferWriter<byte>? compressed = null;
        if (Codec != CompressionCodec.None)
        {
            compressed = new ArrayBufferWriter<byte>();
            Compression.Compress(Codec, payload, XerialSnappyFraming, compressed);
            payload = compressed.WrittenSpan;
        }

        var batch = new byte[RecordBatch.HeaderSize + payload.Length];
        BinaryPrimitives.WriteInt64BigEndian(batch, BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatch.BatchLengthOffset), batch.Length - RecordBatch.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatch.PartitionLeaderEpochOffset), PartitionLeaderEpoch);
        batch[RecordBatch.MagicOffset] = RecordBatch.CurrentMagic;
        var attributes = (short)Codec;
        if (IsTransactional)
        {
            attributes |= RecordBatch.TransactionalMask;
        }

        if (IsControlBatch)
        {
            attributes |= RecordBatch.ControlMask;
        }

        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(RecordBatch.AttributesOffset), attributes);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatch.LastOffsetDeltaOffset), Math.Max(_count - 1, 0));
        BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(RecordBatch.BaseTimestampOffset), _baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(RecordBatch.MaxTimestampOffset), _maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(RecordBatch.ProducerIdOffset), ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(RecordBatch.ProducerEpochOffset), ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatch.BaseSequenceOffset), BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatch.RecordsCountOffset), _count);
        payload.CopyTo(batch.AsSpan(RecordBatch.HeaderSize));
        RecordBatch.WriteCrc(batch);
        return batch;
    }

    private static int SizeOfBytes(byte[]? bytes) =>
        bytes is null ? VarInt.SizeOfSigned(-1) : VarInt.SizeOfSigned(bytes.Length) + bytes.Length;

    private static int WriteBytes(Span<byte> destination, byte[]? bytes)
    {
        if (bytes is null)
        {
            return VarInt.WriteSigned(destination, -1);
        }

        var length = VarInt.WriteSigned(destination, bytes.Length);
        bytes.CopyTo(destination[length..]);
        return length + bytes.Length;
    }
}
