namespace Rill.Common;

/// <summary>
/// Protobuf-style variable-length integers as records use them: unsigned LEB128, and zig-zag for signed.
/// Readers return false on truncated or over-long input rather than throwing, so callers choose the error code.
/// </summary>
public static class VarInt
{
    public const int MaxVarIntLength = 5;
    public const int MaxVarLongLength = 10;

    public static bool TryReadUnsigned(ReadOnlySpan<byte> source, out uint value, out int length)
    {
        value = 0;
        var shift = 0;
        for (var i = 0; i < source.Length && i < MaxVarIntLength; i++)
        {
            var b = source[i];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                length = i + 1;
                return i < MaxVarIntLength - 1 || b <= 0x0F;
            }

            shift += 7;
        }

        length = 0;
        return false;
    }

    public static bool TryReadUnsignedLong(ReadOnlySpan<byte> source, out ulong value, out int length)
    {
        value = 0;
        var shift = 0;
        for (var i = 0; i < source.Length && i < MaxVarLongLength; i++)
        {
            var b = source[i];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                length = i + 1;
                return i < MaxVarLongLength - 1 || b <= 0x01;
            }

            shift += 7;
        }

        length = 0;
        return false;
    }

    public static bool TryReadSigned(ReadOnlySpan<byte> source, out int value, out int length)
    {
        if (!TryReadUnsigned(source, out var raw, out length))
        {
            value = 0;
            return false;
        }

        value = (int)(raw >> 1) ^ -(int)(raw & 1);
        return true;
    }

    public static bool TryReadSignedLong(ReadOnlySpan<byte> source, out long value, out int length)
    {
        if (!TryReadUnsignedLong(source, out var raw, out length))
        {
            value = 0;
            return false;
        }

        value = (long)(raw >> 1) ^ -(long)(raw & 1);
        return true;
    }

    public static int SizeOfUnsigned(uint value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    public static int SizeOfUnsignedLong(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    public static int SizeOfSigned(int value) => SizeOfUnsigned(ZigZag(value));

    public static int SizeOfSignedLong(long value) => SizeOfUnsignedLong(ZigZag(value));

    public static int WriteUnsigned(Span<byte> destination, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    public static int WriteUnsignedLong(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    public static int WriteSigned(Span<byte> destination, int value) => WriteUnsigned(destination, ZigZag(value));

    public static int WriteSignedLong(Span<byte> destination, long value) => WriteUnsignedLong(destination, ZigZag(value));

    private static uint ZigZag(int value) => (uint)((value << 1) ^ (value >> 31));

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));
}
