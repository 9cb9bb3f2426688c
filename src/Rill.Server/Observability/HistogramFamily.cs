using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;

namespace Rill.Server.Observability;

/// <summary>
/// A <see cref="Histogram{T}"/> as a Prometheus histogram: cumulative <c>_bucket</c> counts over the bucket
/// boundaries the instrument advises, <c>_sum</c> and <c>_count</c>.
/// </summary>
internal sealed class HistogramFamily : MetricFamily
{
    private readonly double[] _bounds;
    private readonly string[] _bucketLabels;
    private readonly ConcurrentDictionary<SeriesKey, Cell> _series = new(SeriesKeyComparer.Instance);
    private readonly ConcurrentDictionary<SeriesKey, Cell>.AlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>> _lookup;

    public HistogramFamily(Instrument instrument, double[] bounds)
        : base(instrument, "histogram")
    {
        _bounds = bounds;
        _bucketLabels = [.. bounds.Select(PrometheusText.BucketLabel), PrometheusText.BucketLabel(double.PositiveInfinity)];
        _lookup = _series.GetAlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>>();
    }

    public override void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => Record((double)value, tags);

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var cell = _lookup.TryGetValue(tags, out var found)
            ? found
            : _series.GetOrAdd(new SeriesKey(tags), static (_, buckets) => new Cell(buckets), _bounds.Length + 1);
        cell.Record(BucketOf(value), value);
    }

    public override void Write(StringBuilder text)
    {
        PrometheusText.AppendHeader(text, Name, Help, Type);
        var bucketName = Name + "_bucket";
        var counts = new long[_bounds.Length + 1];
        foreach (var (key, cell) in _series.OrderBy(series => series.Key.Labels, StringComparer.Ordinal))
        {
            var sum = cell.CopyTo(counts);
            long cumulative = 0;
            for (var i = 0; i < counts.Length; i++)
            {
                cumulative += counts[i];
                PrometheusText.AppendSample(text, bucketName, key.Labels, _bucketLabels[i], cumulative);
            }

            PrometheusText.AppendSample(text, Name + "_sum", key.Labels, extraLabel: null, sum);
            PrometheusText.AppendSample(text, Name + "_count", key.Labels, extraLabel: null, cumulative);
        }
    }

    /// <summary>The first bucket whose upper bound is at least <paramref name="value"/> (Prometheus' "le"); the last is +Inf.</summary>
    private int BucketOf(double value)
    {
        int low = 0, high = _bounds.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (value <= _bounds[middle])
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }

    /// <summary>
    /// Counts per bucket (not cumulative) and the sum. A scrape racing a measurement may see the count before the
    /// sum; <c>_count</c> is derived from the buckets so that it always equals the +Inf bucket.
    /// </summary>
    private sealed class Cell
    {
        private readonly long[] _counts;
        private double _sum;

        public Cell(int buckets)
        {
            _counts = new long[buckets];
        }

        public void Record(int bucket, double value)
        {
            Interlocked.Increment(ref _counts[bucket]);
            var current = Volatile.Read(ref _sum);
            while (true)
            {
                var seen = Interlocked.CompareExchange(ref _sum, current + value, current);
                if (seen.Equals(current))
                {
                    return;
                }

                current = seen;
            }
        }

        public double CopyTo(long[] counts)
        {
            for (var i = 0; i < counts.Length; i++)
            {
                counts[i] = Volatile.Read(ref _counts[i]);
            }

            return Volatile.Read(ref _sum);
        }
    }
}
