using System.Numerics;

namespace Rill.Cli.Perf;

/// <summary>
/// A log-linear histogram of non-negative integers (latencies in microseconds), in the manner of HdrHistogram
/// with two significant binary digits' worth of sub-buckets: values below 256 are counted exactly; above that,
/// every power of two is split into 128 equal buckets, so a reported value is at most 1/128 (0.8%) above the
/// true one and never below it. Recording is an array increment: no allocation per value. One writer at a
/// time; writers keep their own histogram and <see cref="Add"/> merges them at the end.
/// </summary>
/// <remarks>
/// Hand-written because HdrHistogram.NET is not among our pinned packages and the whole need is these few
/// lines: record, merge, percentile.
/// </remarks>
internal sealed class LatencyHistogram
{
    /// <summary>Values below 2^<see cref="ExactBits"/> get a bucket each.</summary>
    private const int ExactBits = 8;
    private const int ExactLimit = 1 << ExactBits;
    private const int SubBuckets = ExactLimit / 2;

    /// <summary>Exponents 1..55 cover every positive long (its highest bit is at most 62).</summary>
    private const int Exponents = 62 - ExactBits + 1;

    private readonly long[] _counts = new long[ExactLimit + (Exponents * SubBuckets)];
    private long _min = long.MaxValue;

    /// <summary>The number of values recorded.</summary>
    public long Count { get; private set; }

    /// <summary>The exact largest value recorded (0 when empty).</summary>
    public long Max { get; private set; }

    /// <summary>The exact smallest value recorded (0 when empty).</summary>
    public long Min => Count == 0 ? 0 : _min;

    /// <summary>The exact mean (0 when empty).</summary>
    public double Mean => Count == 0 ? 0 : (double)Sum / Count;

    private double Sum { get; set; }

    /// <summary>Records <paramref name="value"/> <paramref name="count"/> times; negative values count as 0.</summary>
    public void Record(long value, long count = 1)
    {
        if (count <= 0)
        {
            return;
        }

        value = Math.Max(value, 0);
        _counts[IndexOf(value)] += count;
        Count += count;
        Sum += (double)value * count;
        Max = Math.Max(Max, value);
        _min = Math.Min(_min, value);
    }

    /// <summary>Adds every value of <paramref name="other"/> to this histogram.</summary>
    public void Add(LatencyHistogram other)
    {
        if (other.Count == 0)
        {
            return;
        }

        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Sum += other.Sum;
        Max = Math.Max(Max, other.Max);
        _min = Math.Min(_min, other._min);
    }

    /// <summary>
    /// The smallest recorded value v such that at least <paramref name="percentile"/>% of the values are at most v
    /// (nearest rank), as the highest value of its bucket and never more than <see cref="Max"/>; 0 when empty.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(Math.Clamp(percentile, 0, 100) / 100 * Count);
        rank = Math.Clamp(rank, 1, Count);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(HighestInBucket(i), Max);
            }
        }

        return Max;
    }

    /// <summary>The bucket of <paramref name="value"/> (non-negative).</summary>
    internal static int IndexOf(long value)
    {
        if (value < ExactLimit)
        {
            return (int)value;
        }

        var highestBit = 63 - BitOperations.LeadingZeroCount((ulong)value);
        var exponent = highestBit - (ExactBits - 1);
        var subBucket = (int)(value >> exponent) - SubBuckets;
        return ExactLimit + ((exponent - 1) * SubBuckets) + subBucket;
    }

    /// <summary>The largest value that falls into bucket <paramref name="index"/>.</summary>
    internal static long HighestInBucket(int index)
    {
        if (index < ExactLimit)
        {
            return index;
        }

        var exponent = ((index - ExactLimit) / SubBuckets) + 1;
        var subBucket = ((index - ExactLimit) % SubBuckets) + SubBuckets;
        var lowest = (long)subBucket << exponent;
        return lowest + (1L << exponent) - 1;
    }
}
