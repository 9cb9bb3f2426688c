using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Rill.Server.Observability;

/// <summary>
/// Listens to the instruments of the given meters and writes them in Prometheus' text exposition format 0.0.4.
/// Counters and histograms are aggregated as measurements arrive (one dictionary lookup with the tag span, no
/// allocation once a series exists); observable instruments are read at scrape time.
/// </summary>
/// <remarks>
/// Hand-written rather than prometheus-net's MeterAdapter (8.2.1): the adapter exports every .NET counter as a
/// Prometheus gauge (so <c>rill_requests_total</c> would be typed gauge), drops any series that has not changed
/// for five minutes (a quiet topic's counters vanish) while keeping the last value of observable gauges for
/// deleted partitions and groups until then, and keys its name cache by instrument in static dictionaries, which
/// grow with every node a test process starts. OpenTelemetry's Prometheus exporter is prerelease. What is needed
/// here, a MeterListener and a text writer, is small enough to own.
/// </remarks>
public sealed class PrometheusExporter : IDisposable
{
    private readonly HashSet<Meter> _meters;
    private readonly ILogger _logger;
    private readonly MeterListener _listener = new();
    private readonly List<MetricFamily> _families = [];
    private readonly Lock _familiesLock = new();
    private readonly Lock _scrapeLock = new();

    public PrometheusExporter(IEnumerable<Meter> meters, ILogger logger)
    {
        _meters = [.. meters];
        _logger = logger;
        _listener.InstrumentPublished = OnInstrumentPublished;
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((MetricFamily)state!).Record((long)value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((MetricFamily)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>Every metric family, in the order the instruments were created, as one exposition document.</summary>
    public string Scrape()
    {
        lock (_scrapeLock)
        {
            MetricFamily[] families;
            lock (_familiesLock)
            {
                families = [.. _families];
            }

            foreach (var family in families)
            {
                family.BeginScrape();
            }

            try
            {
                _listener.RecordObservableInstruments();
            }
            catch (AggregateException exception)
            {
                // Every other instrument was still read; export what there is.
                ObservabilityLog.ObservableInstrumentFailed(_logger, exception);
            }

            var text = new StringBuilder(16 * 1024);
            foreach (var family in families)
            {
                family.Write(text);
            }

            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (!_meters.Contains(instrument.Meter))
        {
            return;
        }

        var family = MetricFamily.For(instrument);
        if (family is null)
        {
            var name = instrument.Name;
            var kind = instrument.GetType().Name;
            ObservabilityLog.InstrumentNotExported(_logger, name, kind);
            return;
        }

        lock (_familiesLock)
        {
            _families.Add(family);
        }

        listener.EnableMeasurementEvents(instrument, family);
    }
}
