using System.Diagnostics.Metrics;
using System.Text;

namespace Rill.Server.Observability;

/// <summary>
/// An observable instrument: its callback runs at scrape time and the values it reports are exported as they
/// are, then forgotten, so a deleted partition or group disappears from the next scrape.
/// </summary>
internal sealed class ObservedFamily : MetricFamily
{
    // Only touched during a scrape, which the exporter serializes.
    private readonly List<(string Labels, double Value)> _samples = [];

    public ObservedFamily(Instrument instrument, string type)
        : base(instrument, type)
    {
    }

    public override void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _samples.Add((PrometheusText.Labels(tags), value));

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _samples.Add((PrometheusText.Labels(tags), value));

    public override void BeginScrape() => _samples.Clear();

    public override void Write(StringBuilder text)
    {
        PrometheusText.AppendHeader(text, Name, Help, Type);
        foreach (var (labels, value) in _samples)
        {
            PrometheusText.AppendSample(text, Name, labels, extraLabel: null, value);
        }
    }
}
