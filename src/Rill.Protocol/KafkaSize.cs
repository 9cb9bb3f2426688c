using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text;
using Rill.Common;

namespace Rill.Protocol;

/// <summary>Encoded sizes of the wire types, matching what <see cref="KafkaWriter"/> writes.</summary>
public static class KafkaSize
{
    public const int Int8 = 1;
    public const int Boolean = 1;
    public const int Int16 = 2;
    public const int UInt16 = 2;
    public const int Int32 = 4;
    public const int UInt32 = 4;
    public const int Int64 = 8;
    public const int Float64 = 8;
    public const int Uuid = 16;

    public static int UnsignedVarInt(uint value) => value < 0x80 ? 1 : Common.VarInt.SizeOfUnsigned(value);

    public static int VarInt(int value) => Common.VarInt.SizeOfSigned(value);

    public static int VarLong(long value) => Common.VarInt.SizeOfSignedLong(value);

    /// <summary>A (nullable) STRING or COMPACT_STRING: the length prefix plus the UTF-8 bytes.</summary>
    public static int String(string? value, bool compact)
    {
        if (value is null)
        {
            return compact ? 1 : 2;
        }

        var length = Utf8Length(value);
        return compact ? UnsignedVarInt((uint)length + 1) + length : 2 + length;
    }

    /// <summary>(Nullable) BYTES or COMPACT_BYTES of <paramref name="length"/> bytes; -1 is null.</summary>
    public static int Bytes(int length, bool compact)
    {
        if (length < 0)
        {
            return compact ? 1 : 4;
        }

        return compact ? UnsignedVarInt((uint)length + 1) + length : 4 + length;
    }

    public static int Bytes(byte[]? value, bool compact) => Bytes(value?.Length ?? -1, compact);

    public static int Records(ReadOnlyMemory<byte>? records, bool compact) => Bytes(records?.Length ?? -1, compact);

    /// <summary>An ARRAY or COMPACT_ARRAY count prefix; -1 is null.</summary>
    public static int ArrayLength(int count, bool compact)
    {
        if (count < 0)
        {
            return compact ? 1 : 4;
        }

        return compact ? UnsignedVarInt((uint)count + 1) : 4;
    }

    /// <summary>One tagged field: tag, size, then <paramref name="size"/> bytes of value.</summary>
    public static int TaggedField(int tag, int size) => UnsignedVarInt((uint)tag) + UnsignedVarInt((uint)size) + size;

    /// <summary>The unknown fields alone, without the TAG_BUFFER's count.</summary>
    public static int UnknownTaggedFields(List<RawTaggedField>? fields)
    {
        if (fields is null)
        {
            return 0;
        }

        var size = 0;
        foreach (var field in CollectionsMarshal.AsSpan(fields))
        {
            size += TaggedField(field.Tag, field.Data.Length);
        }

        return size;
    }

    /// <summary>A whole TAG_BUFFER holding only <paramref name="fields"/>.</summary>
    public static int TaggedFields(List<RawTaggedField>? fields) =>
        UnsignedVarInt((uint)(fields?.Count ?? 0)) + UnknownTaggedFields(fields);

    /// <summary>UTF-8 length of a string field, which Kafka limits to <see cref="KafkaReader.MaxStringLength"/>.</summary>
    public static int Utf8Length(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        if (length > KafkaReader.MaxStringLength)
        {
            ThrowStringTooLong(length);
        }

        return length;
    }

    [DoesNotReturn]
    internal static void ThrowStringTooLong(int length) =>
        throw new InvalidOperationException($"A string of {length} UTF-8 bytes exceeds the {KafkaReader.MaxStringLength} Kafka allows.");
}
