using System.Diagnostics.Metrics;
using System.Text;

namespace Rill.Server.Observability;

/// <summary>
/// What the exporter keeps for one instrument: its measurements by series, written as one Prometheus metric
/// family. The instrument's name is the exported name as is (<c>rill_requests_total</c>), so what a developer
/// greps for in the code is what an operator queries.
/// </summary>
internal abstract class MetricFamily
{
    /// <summary>Prometheus client libraries' default buckets, for histograms that give no advice.</summary>
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    protected MetricFamily(Instrument instrument, string type)
    {
        Name = instrument.Name;
        Help = instrument.Description ?? string.Empty;
        Type = type;
    }

    public string Name { get; }

    public string Help { get; }

    /// <summary>counter, gauge or histogram.</summary>
    public string Type { get; }

    /// <summary>The family for <paramref name="instrument"/>, or null for a kind the exporter does not map.</summary>
    public static MetricFamily? For(Instrument instrument)
    {
        var type = instrument.GetType();
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : null;
        if (definition == typeof(Counter<>))
        {
            return new SumFamily(instrument, "counter");
        }

        if (definition == typeof(UpDownCounter<>))
        {
            return new SumFamily(instrument, "gauge");
        }

        if (definition == typeof(Histogram<>))
        {
            return new HistogramFamily(instrument, BucketsOf(instrument));
        }

        if (definition == typeof(ObservableCounter<>))
        {
            return new ObservedFamily(instrument, "counter");
        }

        if (definition == typeof(ObservableGauge<>) || definition == typeof(ObservableUpDownCounter<>))
        {
            return new ObservedFamily(instrument, "gauge");
        }

        return null;
    }

    public abstract void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

    public abstract void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

    /// <summary>Called before the observable instruments are read for a scrape.</summary>
    public virtual void BeginScrape()
    {
    }

    public abstract void Write(StringBuilder text);

    private static double[] BucketsOf(Instrument instrument) => instrument switch
    {
        Histogram<double> { Advice.HistogramBucketBoundaries: { } bounds } => [.. bounds],
        Histogram<long> { Advice.HistogramBucketBoundaries: { } bounds } => [.. bounds.Select(bound => (double)bound)],
        _ => DefaultBuckets,
    };
}
