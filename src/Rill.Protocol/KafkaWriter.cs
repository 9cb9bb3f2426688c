using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Rill.Common;

namespace Rill.Protocol;

/// <summary>
/// Writes Kafka's wire types, big-endian, into a destination sized beforehand with
/// <see cref="IKafkaMessage.ComputeSize"/> / <see cref="KafkaSize"/>. Running out of room means the
/// size was computed wrong, a bug, so it throws <see cref="InvalidOperationException"/>.
/// </summary>
public ref struct KafkaWriter
{
    private readonly Span<byte> _buffer;
    private int _position;

    public KafkaWriter(Span<byte> destination)
    {
        _buffer = destination;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>The bytes written so far.</summary>
    public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

    public void WriteInt8(sbyte value)
    {
        var position = _position;
        if ((uint)position >= (uint)_buffer.Length)
        {
            ThrowNoRoom(1);
        }

        _buffer[position] = (byte)value;
        _position = position + 1;
    }

    public void WriteBoolean(bool value) => WriteInt8(value ? (sbyte)1 : (sbyte)0);

    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Take(sizeof(short)), value);

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Take(sizeof(ushort)), value);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Take(sizeof(int)), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Take(sizeof(uint)), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Take(sizeof(long)), value);

    public void WriteFloat64(double value) => BinaryPrimitives.WriteDoubleBigEndian(Take(sizeof(double)), value);

    public void WriteUuid(Uuid value) => value.Write(Take(16));

    public void WriteUnsignedVarInt(uint value)
    {
        var position = _position;
        if (value < 0x80 && (uint)position < (uint)_buffer.Length)
        {
            _buffer[position] = (byte)value;
            _position = position + 1;
            return;
        }

        VarInt.WriteUnsigned(Take(KafkaSize.UnsignedVarInt(value)), value);
    }

    public void WriteVarInt(int value)
    {
        var size = KafkaSize.VarInt(value);
        VarInt.WriteSigned(Take(size), value);
    }

    public void WriteVarLong(long value)
    {
        var size = KafkaSize.VarLong(value);
        VarInt.WriteSignedLong(Take(size), value);
    }

    /// <summary>A STRING or COMPACT_STRING; at most <see cref="KafkaReader.MaxStringLength"/> UTF-8 bytes.</summary>
    public void WriteString(string value, bool compact)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (compact)
        {
            WriteCompactString(value);
            return;
        }

        // The int16 prefix has a fixed size: encode straight after it, then fill it in.
        var position = _position;
        if (Remaining < sizeof(short))
        {
            ThrowNoRoom(sizeof(short));
        }

        var byteCount = EncodeUtf8(value, position + sizeof(short));
        BinaryPrimitives.WriteInt16BigEndian(_buffer[position..], (short)byteCount);
        _position = position + sizeof(short) + byteCount;
    }

    public void WriteNullableString(string? value, bool compact)
    {
        if (value is null)
        {
            WriteNull(compact, shortLength: true);
            return;
        }

        WriteString(value, compact);
    }

    /// <summary>BYTES or COMPACT_BYTES.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value, bool compact)
    {
        WriteLength(value.Length, compact);
        WriteRaw(value);
    }

    public void WriteNullableBytes(byte[]? value, bool compact)
    {
        if (value is null)
        {
            WriteNull(compact, shortLength: false);
            return;
        }

        WriteBytes(value, compact);
    }

    /// <summary>RECORDS: nullable bytes, written from the slice they were read or built into, or from the file region behind them.</summary>
    public void WriteRecords(ReadOnlyMemory<byte>? records, bool compact)
    {
        if (records is not { } value)
        {
            WriteNull(compact, shortLength: false);
            return;
        }

        // A file region is copied from the file into the destination directly, never through a buffer of its own.
        if (MemoryMarshal.TryGetMemoryManager(value, out RecordsRegionManager? region, out var start, out var length))
        {
            WriteLength(length, compact);
            region.CopyTo(start, Take(length));
            return;
        }

        WriteBytes(value.Span, compact);
    }

    /// <summary>An ARRAY or COMPACT_ARRAY count; -1 writes a null array.</summary>
    public void WriteArrayLength(int count, bool compact)
    {
        if (count < 0)
        {
            WriteNull(compact, shortLength: false);
            return;
        }

        WriteLength(count, compact);
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        bytes.CopyTo(Take(bytes.Length));
    }

    /// <summary>A tagged field's tag and the size of the value that follows.</summary>
    public void WriteTaggedFieldHeader(int tag, int size)
    {
        WriteUnsignedVarInt((uint)tag);
        WriteUnsignedVarInt((uint)size);
    }

    /// <summary>A whole TAG_BUFFER holding only <paramref name="fields"/> (null = none).</summary>
    public void WriteTaggedFields(List<RawTaggedField>? fields)
    {
        if (fields is null)
        {
            WriteUnsignedVarInt(0);
            return;
        }

        WriteUnsignedVarInt((uint)fields.Count);
        var index = 0;
        WriteRemainingUnknownTaggedFields(fields, ref index);
    }

    /// <summary>
    /// Writes unknown fields from <paramref name="index"/> on while their tag is below
    /// <paramref name="belowTag"/>, so they interleave with known tags in ascending order.
    /// </summary>
    public void WriteUnknownTaggedFields(List<RawTaggedField>? fields, ref int index, int belowTag)
    {
        if (fields is null)
        {
            return;
        }

        var span = CollectionsMarshal.AsSpan(fields);
        while (index < span.Length && span[index].Tag < belowTag)
        {
            WriteRawTaggedField(span[index]);
            index++;
        }
    }

    /// <summary>Writes the unknown fields not yet written by <see cref="WriteUnknownTaggedFields"/>.</summary>
    public void WriteRemainingUnknownTaggedFields(List<RawTaggedField>? fields, ref int index)
    {
        if (fields is null)
        {
            return;
        }

        var span = CollectionsMarshal.AsSpan(fields);
        while (index < span.Length)
        {
            WriteRawTaggedField(span[index]);
            index++;
        }
    }

    /// <summary>For a field the schema makes non-nullable in the version being written.</summary>
    public static T NotNull<T>([NotNull] T? value, string field)
        where T : class
    {
        if (value is null)
        {
            ThrowNullField(field);
        }

        return value;
    }

    /// <summary>For a records field the schema makes non-nullable in the version being written.</summary>
    public static ReadOnlyMemory<byte> NotNull(ReadOnlyMemory<byte>? value, string field)
    {
        if (value is { } records)
        {
            return records;
        }

        ThrowNullField(field);
        return default;
    }

    private void WriteRawTaggedField(RawTaggedField field)
    {
        WriteTaggedFieldHeader(field.Tag, field.Data.Length);
        WriteRaw(field.Data.Span);
    }

    private void WriteCompactString(string value)
    {
        // The varint prefix's size depends on the UTF-8 length. When every possible length (1 to 3
        // bytes per UTF-16 char) needs the same prefix size, encode first and fill the prefix in
        // afterwards; otherwise count first. Either way nothing is allocated.
        var minPrefix = KafkaSize.UnsignedVarInt((uint)value.Length + 1);
        var maxPrefix = KafkaSize.UnsignedVarInt(((uint)value.Length * 3) + 1);
        if (minPrefix == maxPrefix)
        {
            var position = _position;
            if (Remaining < minPrefix)
            {
                ThrowNoRoom(minPrefix);
            }

            var byteCount = EncodeUtf8(value, position + minPrefix);
            VarInt.WriteUnsigned(_buffer[position..], (uint)byteCount + 1);
            _position = position + minPrefix + byteCount;
            return;
        }

        var count = KafkaSize.Utf8Length(value);
        WriteUnsignedVarInt((uint)count + 1);
        EncodeUtf8(value, _position);
        _position += count;
    }

    private readonly int EncodeUtf8(string value, int offset)
    {
        if (!Encoding.UTF8.TryGetBytes(value, _buffer[offset..], out var byteCount))
        {
            ThrowNoRoom(Encoding.UTF8.GetByteCount(value));
        }

        if (byteCount > KafkaReader.MaxStringLength)
        {
            KafkaSize.ThrowStringTooLong(byteCount);
        }

        return byteCount;
    }

    private void WriteLength(int length, bool compact)
    {
        if (compact)
        {
            WriteUnsignedVarInt((uint)length + 1);
        }
        else
        {
            WriteInt32(length);
        }
    }

    private void WriteNull(bool compact, bool shortLength)
    {
        if (compact)
        {
            WriteUnsignedVarInt(0);
        }
        else if (shortLength)
        {
            WriteInt16(-1);
        }
        else
        {
            WriteInt32(-1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Take(int count)
    {
        var position = _position;
        if (count > _buffer.Length - position)
        {
            ThrowNoRoom(count);
        }

        _position = position + count;
        return _buffer.Slice(position, count);
    }

    [DoesNotReturn]
    private readonly void ThrowNoRoom(int needed) =>
        throw new InvalidOperationException(
            $"Destination too small: {needed} bytes needed at offset {_position}, {Remaining} left; the computed size was wrong.");

    [DoesNotReturn]
    private static void ThrowNullField(string field) =>
        throw new InvalidOperationException($"{field} is null, but the version being written cannot encode null for it.");
}
