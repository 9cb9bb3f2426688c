using Rill.Cli.Perf;

namespace Rill.Cli.Tests;

/// <summary>The perf histogram: exact below 256, within 1/128 above (never below the true value), mergeable.</summary>
public sealed class PerfLatencyHistogramTests
{
    [Fact]
    public void SmallValues_AreExact()
    {
        var histogram = new LatencyHistogram();
        for (var value = 1; value <= 100; value++)
        {
            histogram.Record(value);
        }

        Assert.Equal(100, histogram.Count);
        Assert.Equal(1, histogram.Min);
        Assert.Equal(100, histogram.Max);
        Assert.Equal(50.5, histogram.Mean);
        Assert.Equal(50, histogram.ValueAtPercentile(50));
        Assert.Equal(99, histogram.ValueAtPercentile(99));
        Assert.Equal(100, histogram.ValueAtPercentile(99.9));
        Assert.Equal(100, histogram.ValueAtPercentile(100));
        Assert.Equal(1, histogram.ValueAtPercentile(0));
    }

    [Fact]
    public void LargeValues_AreWithinOne128th_AndNeverBelow()
    {
        var histogram = new LatencyHistogram();
        var values = Enumerable.Range(1, 1_000).Select(i => (long)i * 1_237).ToList();
        foreach (var value in values)
        {
            histogram.Record(value);
        }

        foreach (var percentile in new[] { 10.0, 50, 90, 99, 99.9 })
        {
            var exact = values[(int)Math.Ceiling(percentile / 100 * values.Count) - 1];
            var reported = histogram.ValueAtPercentile(percentile);
            Assert.InRange(reported, exact, exact + (exact / 128));
        }

        Assert.Equal(values[^1], histogram.Max);
        Assert.Equal(values[^1], histogram.ValueAtPercentile(100));
    }

    [Fact]
    public void EveryBucket_HoldsItsValues_WithinOne128th()
    {
        var random = new Random(42);
        for (var i = 0; i < 100_000; i++)
        {
            var value = random.NextInt64(0, long.MaxValue >> random.Next(0, 62));
            var highest = LatencyHistogram.HighestInBucket(LatencyHistogram.IndexOf(value));
            Assert.True(highest >= value && highest - value <= value / 128, $"{value} -> {highest}");
        }

        Assert.Equal(long.MaxValue, LatencyHistogram.HighestInBucket(LatencyHistogram.IndexOf(long.MaxValue)));
        Assert.Equal(255, LatencyHistogram.HighestInBucket(LatencyHistogram.IndexOf(255)));
        Assert.Equal(257, LatencyHistogram.HighestInBucket(LatencyHistogram.IndexOf(256)));
    }

    [Fact]
    public void WeightedRecords_AndMerging_CountLikeSingleRecords()
    {
        var weighted = new LatencyHistogram();
        weighted.Record(10, count: 90);
        var other = new LatencyHistogram();
        other.Record(1_000, count: 9);
        other.Record(5_000);
        weighted.Add(other);

        var single = new LatencyHistogram();
        for (var i = 0; i < 90; i++)
        {
            single.Record(10);
        }

        for (var i = 0; i < 9; i++)
        {
            single.Record(1_000);
        }

        single.Record(5_000);
        Assert.Equal(single.Count, weighted.Count);
        Assert.Equal(single.Mean, weighted.Mean);
        Assert.Equal(single.Max, weighted.Max);
        Assert.Equal(single.Min, weighted.Min);
        foreach (var percentile in new[] { 50.0, 90, 95, 99, 99.9 })
        {
            Assert.Equal(single.ValueAtPercentile(percentile), weighted.ValueAtPercentile(percentile));
        }

        Assert.Equal(10, weighted.ValueAtPercentile(90));
        Assert.Equal(1_003, weighted.ValueAtPercentile(91));
        Assert.Equal(5_000, weighted.ValueAtPercentile(99.9));
    }

    [Fact]
    public void Empty_ReportsZeros_AndNegativeValuesCountAsZero()
    {
        var histogram = new LatencyHistogram();
        Assert.Equal(0, histogram.ValueAtPercentile(99));
        Assert.Equal(0, histogram.Mean);
        histogram.Record(-5);
        Assert.Equal(0, histogram.Max);
        Assert.Equal(1, histogram.Count);
    }
}
