using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using Rill.Common;

namespace Rill.Protocol;

/// <summary>
/// Reads Kafka's wire types, big-endian, from one contiguous buffer. It keeps the span for speed and
/// the memory for zero-copy slices (<see cref="ReadRecords"/>, unknown tagged fields), so anything
/// those return stays valid only while the buffer does.
/// Every length and count is checked against the bytes left before anything is allocated
/// (CVE-2022-34917); malformed input throws <see cref="ProtocolException"/> and nothing else.
/// </summary>
public ref struct KafkaReader
{
    /// <summary>Strings are limited to what an int16 length can say, compact ones too, as Kafka does.</summary>
    public const int MaxStringLength = short.MaxValue;

    private readonly ReadOnlyMemory<byte> _memory;
    private readonly ReadOnlySpan<byte> _span;
    private int _position;

    public KafkaReader(ReadOnlyMemory<byte> buffer)
    {
        _memory = buffer;
        _span = buffer.Span;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _span.Length - _position;

    public sbyte ReadInt8()
    {
        var position = _position;
        if ((uint)position >= (uint)_span.Length)
        {
            ThrowTruncated(1);
        }

        _position = position + 1;
        return (sbyte)_span[position];
    }

    public bool ReadBoolean() => ReadInt8() != 0;

    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(sizeof(short)));

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(sizeof(ushort)));

    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(sizeof(int)));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(sizeof(uint)));

    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(sizeof(long)));

    public double ReadFloat64() => BinaryPrimitives.ReadDoubleBigEndian(Take(sizeof(double)));

    public Uuid ReadUuid() => Uuid.Read(Take(16));

    public uint ReadUnsignedVarInt()
    {
        var position = _position;
        if ((uint)position < (uint)_span.Length)
        {
            var first = _span[position];
            if (first < 0x80)
            {
                _position = position + 1;
                return first;
            }
        }

        return ReadUnsignedVarIntSlow();
    }

    public int ReadVarInt()
    {
        if (!VarInt.TryReadSigned(_span[_position..], out var value, out var length))
        {
            ThrowBadVarInt("varint");
        }

        _position += length;
        return value;
    }

    public long ReadVarLong()
    {
        if (!VarInt.TryReadSignedLong(_span[_position..], out var value, out var length))
        {
            ThrowBadVarInt("varlong");
        }

        _position += length;
        return value;
    }

    /// <summary>A STRING (int16 length) or COMPACT_STRING (unsigned varint N+1); null is malformed here.</summary>
    public string ReadString(bool compact)
    {
        var length = compact ? ReadCompactLength() : ReadInt16();
        if (length < 0)
        {
            ThrowUnexpectedNull("string", length);
        }

        return ReadUtf8(length);
    }

    /// <summary>A NULLABLE_STRING or COMPACT_NULLABLE_STRING: length -1 (compact: 0) is null.</summary>
    public string? ReadNullableString(bool compact)
    {
        var length = compact ? ReadCompactLength() : ReadInt16();
        if (length < 0)
        {
            if (length == -1)
            {
                return null;
            }

            ThrowInvalidLength("string", length);
        }

        return ReadUtf8(length);
    }

    /// <summary>BYTES (int32 length) or COMPACT_BYTES, copied into a new array; null is malformed here.</summary>
    public byte[] ReadBytes(bool compact)
    {
        var length = compact ? ReadCompactLength() : ReadInt32();
        if (length < 0)
        {
            ThrowUnexpectedNull("bytes", length);
        }

        return length == 0 ? [] : Take(length).ToArray();
    }

    public byte[]? ReadNullableBytes(bool compact)
    {
        var length = ReadNullableLength(compact, "bytes");
        if (length < 0)
        {
            return null;
        }

        return length == 0 ? [] : Take(length).ToArray();
    }

    /// <summary>
    /// RECORDS: nullable bytes returned as a slice of the buffer, never copied or decoded, so a
    /// Produce request's batches go to the log as they arrived.
    /// </summary>
    public ReadOnlyMemory<byte>? ReadRecords(bool compact)
    {
        var length = ReadNullableLength(compact, "records");
        if (length < 0)
        {
            return null;
        }

        return ReadMemory(length);
    }

    /// <summary>RECORDS in a version where the schema does not allow null.</summary>
    public ReadOnlyMemory<byte> ReadNonNullRecords(bool compact)
    {
        var length = ReadNullableLength(compact, "records");
        if (length < 0)
        {
            ThrowUnexpectedNull("records", length);
        }

        return ReadMemory(length);
    }

    /// <summary>
    /// An ARRAY count (int32) or COMPACT_ARRAY count (N+1); null is malformed here. The count must fit
    /// in the bytes left at <paramref name="minElementSize"/> each, so a hostile count allocates nothing.
    /// </summary>
    public int ReadArrayCount(bool compact, int minElementSize)
    {
        var count = compact ? ReadCompactLength() : ReadInt32();
        if (count < 0)
        {
            ThrowUnexpectedNull("array", count);
        }

        CheckArrayCount(count, minElementSize);
        return count;
    }

    /// <summary>Like <see cref="ReadArrayCount"/> but returns -1 for a null array.</summary>
    public int ReadNullableArrayCount(bool compact, int minElementSize)
    {
        var count = ReadNullableLength(compact, "array");
        if (count > 0)
        {
            CheckArrayCount(count, minElementSize);
        }

        return count;
    }

    /// <summary>The number of fields in a TAG_BUFFER; each takes at least two bytes (tag and size).</summary>
    public int ReadTaggedFieldCount()
    {
        var count = ReadUnsignedVarInt();
        if (count > (uint)Remaining / 2)
        {
            ThrowTooManyTaggedFields(count);
        }

        return (int)count;
    }

    /// <summary>Reads one tagged field's tag and size; the size is checked against the bytes left.</summary>
    public int ReadTaggedFieldHeader(out int size)
    {
        var tag = ReadUnsignedVarInt();
        if (tag > int.MaxValue)
        {
            ThrowInvalidTag(tag);
        }

        var rawSize = ReadUnsignedVarInt();
        if (rawSize > (uint)Remaining)
        {
            ThrowTruncated(rawSize);
        }

        size = (int)rawSize;
        return (int)tag;
    }

    /// <summary>Called after a known tagged field was read: it must have used exactly its declared size.</summary>
    public readonly void EndTaggedField(int tag, int expectedEnd)
    {
        if (_position != expectedEnd)
        {
            ThrowTaggedFieldSizeMismatch(tag, expectedEnd);
        }
    }

    /// <summary>A whole TAG_BUFFER of fields the caller does not know; null when it is empty.</summary>
    public List<RawTaggedField>? ReadUnknownTaggedFields()
    {
        var count = ReadTaggedFieldCount();
        if (count == 0)
        {
            return null;
        }

        var fields = new List<RawTaggedField>(count);
        for (var i = 0; i < count; i++)
        {
            var tag = ReadTaggedFieldHeader(out var size);
            fields.Add(new RawTaggedField(tag, ReadMemory(size)));
        }

        return fields;
    }

    /// <summary>The next <paramref name="length"/> bytes as a slice of the buffer (no copy).</summary>
    public ReadOnlyMemory<byte> ReadMemory(int length)
    {
        var position = _position;
        if ((uint)length > (uint)(_span.Length - position))
        {
            ThrowTruncatedOrNegative(length);
        }

        _position = position + length;
        return _memory.Slice(position, length);
    }

    /// <summary>The next <paramref name="length"/> bytes as a span over the buffer (no copy).</summary>
    public ReadOnlySpan<byte> ReadSpan(int length)
    {
        if (length < 0)
        {
            ThrowTruncatedOrNegative(length);
        }

        return Take(length);
    }

    public void Skip(int length)
    {
        if ((uint)length > (uint)(_span.Length - _position))
        {
            ThrowTruncatedOrNegative(length);
        }

        _position += length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int count)
    {
        var position = _position;
        if (count > _span.Length - position)
        {
            ThrowTruncated((uint)count);
        }

        _position = position + count;
        return _span.Slice(position, count);
    }

    private string ReadUtf8(int length)
    {
        if (length > MaxStringLength)
        {
            ThrowStringTooLong(length);
        }

        return length == 0 ? string.Empty : Encoding.UTF8.GetString(Take(length));
    }

    /// <summary>An unsigned varint N+1 as N: -1 for null, and lengths past int.MaxValue are malformed.</summary>
    private int ReadCompactLength()
    {
        var raw = ReadUnsignedVarInt();
        if (raw > int.MaxValue)
        {
            ThrowInvalidLength("compact length", raw - 1L);
        }

        return (int)raw - 1;
    }

    /// <summary>An int32 (or compact) length where -1 is null and any other negative value is malformed.</summary>
    private int ReadNullableLength(bool compact, string what)
    {
        var length = compact ? ReadCompactLength() : ReadInt32();
        if (length < -1)
        {
            ThrowInvalidLength(what, length);
        }

        return length;
    }

    private readonly void CheckArrayCount(int count, int minElementSize)
    {
        if ((long)count * Math.Max(minElementSize, 1) > Remaining)
        {
            ThrowArrayTooLong(count, minElementSize);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private uint ReadUnsignedVarIntSlow()
    {
        if (!VarInt.TryReadUnsigned(_span[_position..], out var value, out var length))
        {
            ThrowBadVarInt("unsigned varint");
        }

        _position += length;
        return value;
    }

    [DoesNotReturn]
    private readonly void ThrowTruncated(uint needed) =>
        throw new ProtocolException($"Truncated input: {needed} bytes needed at offset {_position}, {Remaining} left.");

    [DoesNotReturn]
    private readonly void ThrowTruncatedOrNegative(int length)
    {
        if (length < 0)
        {
            throw new ProtocolException($"Negative length {length} at offset {_position}.");
        }

        ThrowTruncated((uint)length);
    }

    [DoesNotReturn]
    private readonly void ThrowBadVarInt(string what) =>
        throw new ProtocolException(Remaining == 0 || IsTruncatedVarInt()
            ? $"Truncated {what} at offset {_position}."
            : $"Over-long {what} at offset {_position}.");

    private readonly bool IsTruncatedVarInt()
    {
        foreach (var b in _span[_position..])
        {
            if (b < 0x80)
            {
                return false;
            }
        }

        return true;
    }

    [DoesNotReturn]
    private readonly void ThrowUnexpectedNull(string what, int length) =>
        throw new ProtocolException(length == -1
            ? $"Null {what} where the schema allows none, before offset {_position}."
            : $"Invalid {what} length {length} before offset {_position}.");

    [DoesNotReturn]
    private readonly void ThrowInvalidLength(string what, long length) =>
        throw new ProtocolException($"Invalid {what} length {length} before offset {_position}.");

    [DoesNotReturn]
    private readonly void ThrowStringTooLong(int length) =>
        throw new ProtocolException($"String length {length} exceeds {MaxStringLength} at offset {_position}.");

    [DoesNotReturn]
    private readonly void ThrowArrayTooLong(int count, int minElementSize) =>
        throw new ProtocolException(
            $"Array count {count} needs at least {(long)count * Math.Max(minElementSize, 1)} bytes at offset {_position}, {Remaining} left.");

    [DoesNotReturn]
    private readonly void ThrowTooManyTaggedFields(uint count) =>
        throw new ProtocolException($"Tagged field count {count} cannot fit in the {Remaining} bytes left at offset {_position}.");

    [DoesNotReturn]
    private readonly void ThrowInvalidTag(uint tag) =>
        throw new ProtocolException($"Tag {tag} out of range before offset {_position}.");

    [DoesNotReturn]
    private readonly void ThrowTaggedFieldSizeMismatch(int tag, int expectedEnd) =>
        throw new ProtocolException($"Tagged field {tag} should end at offset {expectedEnd} but its value ended at {_position}.");
}
