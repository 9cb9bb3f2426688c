using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Rill.Common;

/// <summary>
/// Kafka's 128-bit id (topic ids, cluster ids): two big-endian longs on the wire, printed as
/// unpadded URL-safe base64. <see cref="Guid"/> orders its bytes differently, hence our own type.
/// </summary>
public readonly record struct Uuid(long MostSignificantBits, long LeastSignificantBits)
{
    public static readonly Uuid Zero;

    /// <summary>A random id that is never <see cref="Zero"/> and, as Kafka requires, never starts with '-' when printed.</summary>
    public static Uuid NewRandom()
    {
        Span<byte> bytes = stackalloc byte[16];
        while (true)
        {
            RandomNumberGenerator.Fill(bytes);
            var id = Read(bytes);
            if (id != Zero && !id.ToString().StartsWith('-'))
            {
                return id;
            }
        }
    }

    public static Uuid Read(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadInt64BigEndian(source), BinaryPrimitives.ReadInt64BigEndian(source[8..]));

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, MostSignificantBits);
        BinaryPrimitives.WriteInt64BigEndian(destination[8..], LeastSignificantBits);
    }

    public static Uuid Parse(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/') + "==";
        var bytes = Convert.FromBase64String(padded);
        if (bytes.Length != 16)
        {
            throw new FormatException($"'{text}' is not a 16-byte id.");
        }

        return Read(bytes);
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[16];
        Write(bytes);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
