using Rill.Common;

namespace Rill.Protocol.Tests;

/// <summary>CRC-32C against the published check value and a bit-at-a-time reference, across the three-chain block boundaries.</summary>
public sealed class Crc32CTests
{
    [Fact]
    public void Check_value_of_the_nine_digits_is_the_published_one() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));

    [Fact]
    public void Empty_input_checksums_to_zero() => Assert.Equal(0u, Crc32C.Compute([]));

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(767)]
    [InlineData(768)]
    [InlineData(769)]
    [InlineData(3 * 256 * 2 + 13)]
    [InlineData(24575)]
    [InlineData(24576)]
    [InlineData(24577)]
    [InlineData(24576 + 768 + 9)]
    [InlineData(3 * 24576 + 3 * 768 + 7)]
    [InlineData(1024 * 1024)]
    public void Matches_the_bitwise_reference_at_every_block_boundary(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);

        Assert.Equal(Reference(data), Crc32C.Compute(data));
    }

    [Fact]
    public void Appending_pieces_equals_checksumming_the_whole()
    {
        var data = new byte[3 * 24576 + 1000];
        new Random(7).NextBytes(data);
        var whole = Crc32C.Compute(data);

        foreach (var split in new[] { 0, 1, 8, 767, 24576, 30000, data.Length })
        {
            Assert.Equal(whole, Crc32C.Append(Crc32C.Compute(data.AsSpan(0, split)), data.AsSpan(split)));
        }
    }

    [Fact]
    public void Unaligned_start_gives_the_same_checksum()
    {
        var data = new byte[30000];
        new Random(3).NextBytes(data);

        for (var start = 1; start < 8; start++)
        {
            Assert.Equal(Reference(data.AsSpan(start)), Crc32C.Compute(data.AsSpan(start)));
        }
    }

    private static uint Reference(ReadOnlySpan<byte> data)
    {
        var crc = ~0u;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
            }
        }

        return ~crc;
    }
}
