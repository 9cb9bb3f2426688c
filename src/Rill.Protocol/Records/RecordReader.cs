using System.Buffers;
using Rill.Common;

namespace Rill.Protocol.Records;

/// <summary>
/// Iterates the records of one v2 batch: offset, timestamp, key, value, headers. A compressed batch is
/// inflated once into a pooled buffer (at most <c>maxUncompressedBytes</c>), returned on
/// <see cref="Dispose"/>. Malformed bytes end the iteration with <see cref="ErrorCode"/> set; nothing throws.
/// Used by the log's timestamp lookup and by tests; the Produce and Fetch paths never decode records.
/// </summary>
public ref struct RecordReader
{
    private readonly long _baseOffset;
    private readonly long _baseTimestamp;
    private readonly long _logAppendTime;
    private readonly int _count;
    private ReadOnlySpan<byte> _records;
    private ReadOnlySpan<byte> _remaining;
    private byte[]? _rented;
    private int _index;

    public RecordReader(ReadOnlySpan<byte> batch, long maxUncompressedBytes)
    {
        if (batch.Length < RecordBatch.HeaderSize || RecordBatch.GetMagic(batch) != RecordBatch.CurrentMagic
            || RecordBatch.GetSizeInBytes(batch) != batch.Length)
        {
            ErrorCode = ErrorCode.CorruptMessage;
            return;
        }

        _baseOffset = RecordBatch.GetBaseOffset(batch);
        _baseTimestamp = RecordBatch.GetBaseTimestamp(batch);
        _logAppendTime = RecordBatch.GetTimestampType(batch) == TimestampType.LogAppendTime
            ? RecordBatch.GetMaxTimestamp(batch)
            : RecordBatch.NoTimestamp;
        _count = Math.Max(RecordBatch.GetRecordsCount(batch), 0);
        var codec = RecordBatch.GetCompressionCodec(batch);
        if (codec == CompressionCodec.None)
        {
            _records = _remaining = batch[RecordBatch.HeaderSize..];
            return;
        }

        ErrorCode = Inflate(batch[RecordBatch.HeaderSize..], codec, maxUncompressedBytes, out _rented, out var length);
        _records = _remaining = _rented is null ? default : _rented.AsSpan(0, length);
    }

    /// <summary>None while records parse; CORRUPT_MESSAGE or MESSAGE_TOO_LARGE once they do not.</summary>
    public ErrorCode ErrorCode { get; private set; }

    public bool TryReadNext(out RecordView record)
    {
        record = default;
        if (ErrorCode != ErrorCode.None || _index >= _count)
        {
            return false;
        }

        if (!VarInt.TryReadSigned(_remaining, out var length, out var lengthSize) || length < 0 || length > _remaining.Length - lengthSize)
        {
            return Corrupt();
        }

        var body = _remaining.Slice(lengthSize, length);
        _remaining = _remaining[(lengthSize + length)..];
        if (body.IsEmpty)
        {
            return Corrupt();
        }

        body = body[1..];
        if (!VarInt.TryReadSignedLong(body, out var timestampDelta, out var size))
        {
            return Corrupt();
        }

        body = body[size..];
        if (!VarInt.TryReadSigned(body, out var offsetDelta, out size))
        {
            return Corrupt();
        }

        body = body[size..];
        if (!TryReadBytes(ref body, nullable: true, out var key, out var isKeyNull)
            || !TryReadBytes(ref body, nullable: true, out var value, out var isValueNull)
            || !VarInt.TryReadSigned(body, out var headerCount, out size) || headerCount < 0)
        {
            return Corrupt();
        }

        var timestamp = _logAppendTime != RecordBatch.NoTimestamp ? _logAppendTime : _baseTimestamp + timestampDelta;
        record = new RecordView(_baseOffset + offsetDelta, timestamp, key, isKeyNull, value, isValueNull, headerCount, body[size..]);
        _index++;
        return true;
    }

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<byte>.Shared.Return(_rented);
            _rented = null;
        }

        _records = _remaining = default;
    }

    /// <summary>Starts over at the first record without inflating again (a second pass after a fully read batch).</summary>
    internal void Rewind()
    {
        _remaining = _records;
        _index = 0;
    }

    internal static bool TryReadBytes(scoped ref ReadOnlySpan<byte> source, bool nullable, out ReadOnlySpan<byte> bytes, out bool isNull)
    {
        bytes = default;
        isNull = false;
        if (!VarInt.TryReadSigned(source, out var length, out var size) || length < (nullable ? -1 : 0) || length > source.Length - size)
        {
            return false;
        }

        source = source[size..];
        if (length < 0)
        {
            isNull = true;
            return true;
        }

        bytes = source[..length];
        source = source[length..];
        return true;
    }

    private bool Corrupt()
    {
        ErrorCode = ErrorCode.CorruptMessage;
        return false;
    }

    private static ErrorCode Inflate(ReadOnlySpan<byte> compressed, CompressionCodec codec, long limit, out byte[]? rented, out int length)
    {
        rented = null;
        length = 0;
        // The codecs read from a stream; the batch is a span here, so one pooled copy of the compressed bytes.
        var input = ArrayPool<byte>.Shared.Rent(compressed.Length);
        compressed.CopyTo(input);
        try
        {
            using var stream = Decompression.Open(codec, input.AsMemory(0, compressed.Length), limit);
            rented = ArrayPool<byte>.Shared.Rent(Math.Max(compressed.Length * 4, 1024));
            while (true)
            {
                if (length == rented.Length)
                {
                    if (length >= limit)
                    {
                        Span<byte> probe = stackalloc byte[1];
                        return stream.Read(probe) == 0 ? ErrorCode.None : throw new DecompressionLimitException(length + 1L, limit);
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Min((long)length * 2, limit), Array.MaxLength));
                    rented.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(rented);
                    rented = larger;
                }

                var read = stream.Read(rented, length, rented.Length - length);
                if (read == 0)
                {
                    return ErrorCode.None;
                }

                length += read;
                if (length > limit)
                {
                    throw new DecompressionLimitException(length, limit);
                }
            }
        }
        catch (DecompressionLimitException)
        {
            ReturnRented(ref rented);
            return ErrorCode.MessageTooLarge;
        }
        catch (Exception)
        {
            ReturnRented(ref rented);
            return ErrorCode.CorruptMessage;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
        }
    }

    private static void ReturnRented(ref byte[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
            rented = null;
        }
    }
}
