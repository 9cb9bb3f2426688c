using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Rill.Storage;

/// <summary>
/// The log cleaner's key -> latest offset map (Kafka's <c>SkimpyOffsetMap</c>): keys are kept as 16-byte hashes, 24 bytes
/// an entry with the offset, in open-addressed arrays with linear probing. It grows by doubling up to a slot count fixed
/// by <c>maxBytes</c> (<c>log.cleaner.dedupe.buffer.size</c>) and admits entries up to a 0.9 load factor (Kafka's
/// <c>log.cleaner.io.buffer.load.factor</c>); the cleaner then cleans fewer segments. Nothing is allocated per key.
/// </summary>
/// <remarks>
/// SHA-256 cut to 128 bits stands in for Kafka's MD5: a collision could drop a record whose key only looks superseded, so
/// the hash must be wide and well mixed, and SHA-256 is in the base library without the MD5 analyzer warning and runs on
/// the CPU's SHA instructions where present.
/// </remarks>
internal sealed class OffsetMap
{
    private const int BytesPerEntry = 24;

    private const double LoadFactor = 0.9;
    private const int InitialSlots = 1 << 12;
    private const int MinSlots = 16;

    private readonly int _maxSlots;
    private ulong[] _high;
    private ulong[] _low;

    /// <summary>offset + 1; 0 marks an empty slot.</summary>
    private long[] _offsets;
    private int _count;

    public OffsetMap(long maxBytes)
    {
        // A power of two, so a hash picks its slot with a mask.
        var slots = (int)Math.Min(1L << 30, Math.Max(maxBytes / BytesPerEntry, MinSlots));
        _maxSlots = 1 << (31 - int.LeadingZeroCount(slots));
        var initial = Math.Min(InitialSlots, _maxSlots);
        _high = new ulong[initial];
        _low = new ulong[initial];
        _offsets = new long[initial];
    }

    /// <summary>Distinct keys held.</summary>
    public int Count => _count;

    /// <summary>The most keys the map takes: its largest slot count times the load factor.</summary>
    public int MaxEntries => (int)(_maxSlots * LoadFactor);

    public void Clear()
    {
        Array.Clear(_high);
        Array.Clear(_low);
        Array.Clear(_offsets);
        _count = 0;
    }

    /// <summary>Records <paramref name="offset"/> as the latest for <paramref name="key"/>; false, changing nothing, when the key is new and the map full.</summary>
    public bool TryPut(ReadOnlySpan<byte> key, long offset)
    {
        Hash(key, out var high, out var low);
        var slot = Find(_high, _low, _offsets, high, low);
        if (_offsets[slot] == 0)
        {
            if (_count >= MaxEntries)
            {
                return false;
            }

            if (_count + 1 > _offsets.Length * LoadFactor && _offsets.Length < _maxSlots)
            {
                Grow();
                slot = Find(_high, _low, _offsets, high, low);
            }

            _high[slot] = high;
            _low[slot] = low;
            _count++;
        }

        _offsets[slot] = offset + 1;
        return true;
    }

    /// <summary>The latest offset recorded for <paramref name="key"/>, or -1.</summary>
    public long Get(ReadOnlySpan<byte> key)
    {
        Hash(key, out var high, out var low);
        return _offsets[Find(_high, _low, _offsets, high, low)] - 1;
    }

    private static void Hash(ReadOnlySpan<byte> key, out ulong high, out ulong low)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(key, digest);
        high = BinaryPrimitives.ReadUInt64LittleEndian(digest);
        low = BinaryPrimitives.ReadUInt64LittleEndian(digest[8..]);
    }

    /// <summary>The slot holding the hash, or the empty slot where it would go (the load factor keeps one free).</summary>
    private static int Find(ulong[] highs, ulong[] lows, long[] offsets, ulong high, ulong low)
    {
        var mask = offsets.Length - 1;
        var slot = (int)(high & (ulong)mask);
        while (offsets[slot] != 0 && (highs[slot] != high || lows[slot] != low))
        {
            slot = (slot + 1) & mask;
        }

        return slot;
    }

    private void Grow()
    {
        var size = _offsets.Length * 2;
        var highs = new ulong[size];
        var lows = new ulong[size];
        var offsets = new long[size];
        for (var i = 0; i < _offsets.Length; i++)
        {
            if (_offsets[i] != 0)
            {
                var slot = Find(highs, lows, offsets, _high[i], _low[i]);
                highs[slot] = _high[i];
                lows[slot] = _low[i];
                offsets[slot] = _offsets[i];
            }
        }

        _high = highs;
        _low = lows;
        _offsets = offsets;
    }
}
