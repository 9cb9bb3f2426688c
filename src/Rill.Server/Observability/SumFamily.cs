using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;

namespace Rill.Server.Observability;

/// <summary>
/// A <see cref="Counter{T}"/> (exported as a counter) or <see cref="UpDownCounter{T}"/> (a gauge): the sum of
/// the measurements per series, kept from the first measurement on.
/// </summary>
internal sealed class SumFamily : MetricFamily
{
    private readonly ConcurrentDictionary<SeriesKey, Cell> _series = new(SeriesKeyComparer.Instance);
    private readonly ConcurrentDictionary<SeriesKey, Cell>.AlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>> _lookup;

    public SumFamily(Instrument instrument, string type)
        : base(instrument, type)
    {
        _lookup = _series.GetAlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>>();
    }

    public override void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => CellFor(tags).Add(value);

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => CellFor(tags).Add(value);

    public override void Write(StringBuilder text)
    {
        PrometheusText.AppendHeader(text, Name, Help, Type);
        foreach (var (key, cell) in _series.OrderBy(series => series.Key.Labels, StringComparer.Ordinal))
        {
            PrometheusText.AppendSample(text, Name, key.Labels, extraLabel: null, cell.Value);
        }
    }

    private Cell CellFor(ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _lookup.TryGetValue(tags, out var cell) ? cell : _series.GetOrAdd(new SeriesKey(tags), static _ => new Cell());

    /// <summary>Whole measurements add exactly; fractional ones go to a separate double.</summary>
    private sealed class Cell
    {
        private long _whole;
        private double _fraction;

        public double Value => Volatile.Read(ref _whole) + Volatile.Read(ref _fraction);

        public void Add(long value) => Interlocked.Add(ref _whole, value);

        public void Add(double value)
        {
            var current = Volatile.Read(ref _fraction);
            while (true)
            {
                var seen = Interlocked.CompareExchange(ref _fraction, current + value, current);
                if (seen.Equals(current))
                {
                    return;
                }

                current = seen;
            }
        }
    }
}
