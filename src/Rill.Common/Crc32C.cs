using System.Buffers.Binary;
using System.Numerics;

namespace Rill.Common;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of record batches. <see cref="BitOperations.Crc32C(uint, ulong)"/>
/// uses the CPU instruction where there is one; no package offers CRC-32C on spans as fast.
/// </summary>
public static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues a checksum over more data: <c>Append(Compute(a), b) == Compute(a + b)</c>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var state = ~crc;
        while (data.Length >= 8)
        {
            state = BitOperations.Crc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            state = BitOperations.Crc32C(state, b);
        }

        return ~state;
    }
}
