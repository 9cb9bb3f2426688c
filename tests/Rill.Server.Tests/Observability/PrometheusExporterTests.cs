using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Rill.Server.Observability;

namespace Rill.Server.Tests.Observability;

/// <summary>The exporter alone, over a meter of the test's own: exposition text, types, escaping, allocation.</summary>
public sealed class PrometheusExporterTests : IDisposable
{
    private readonly Meter _meter = new("Rill.Tests." + Guid.NewGuid().ToString("N"));

    public void Dispose() => _meter.Dispose();

    [Fact]
    public void Counter_IsACounterPerSeries_AndUpDownCounterAGauge()
    {
        using var exporter = new PrometheusExporter([_meter], NullLogger.Instance);
        var counter = _meter.CreateCounter<long>("t_things_total", "{thing}", "Things.");
        var upDown = _meter.CreateUpDownCounter<long>("t_open", "{thing}", "Open things.");
        var fractional = _meter.CreateCounter<double>("t_seconds_total", "s", "Seconds.");
        counter.Add(2, new KeyValuePair<string, object?>("kind", "a"));
        counter.Add(3, new KeyValuePair<string, object?>("kind", "a"));
        counter.Add(1, new KeyValuePair<string, object?>("kind", "b"));
        upDown.Add(5);
        upDown.Add(-2);
        fractional.Add(0.25);
        fractional.Add(0.5);

        Assert.Equal(
            """
            # HELP t_things_total Things.
            # TYPE t_things_total counter
            t_things_total{kind="a"} 5
            t_things_total{kind="b"} 1
            # HELP t_open Open things.
            # TYPE t_open gauge
            t_open 3
            # HELP t_seconds_total Seconds.
            # TYPE t_seconds_total counter
            t_seconds_total 0.75

            """,
            exporter.Scrape());
    }

    [Fact]
    public void Histogram_HasCumulativeBuckets_FromItsAdvice_AndSumAndCount()
    {
        using var exporter = new PrometheusExporter([_meter], NullLogger.Instance);
        var histogram = _meter.CreateHistogram<double>("t_duration_seconds", "s", "Durations.", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1] });
        var tag = new KeyValuePair<string, object?>("api", "Produce");
        histogram.Record(0.05, tag);
        histogram.Record(0.1, tag);
        histogram.Record(0.5, tag);
        histogram.Record(3, tag);

        Assert.Equal(
            """
            # HELP t_duration_seconds Durations.
            # TYPE t_duration_seconds histogram
            t_duration_seconds_bucket{api="Produce",le="0.1"} 2
            t_duration_seconds_bucket{api="Produce",le="1"} 3
            t_duration_seconds_bucket{api="Produce",le="+Inf"} 4
            t_duration_seconds_sum{api="Produce"} 3.65
            t_duration_seconds_count{api="Produce"} 4

            """,
            exporter.Scrape());
    }

    [Fact]
    public void ObservableGauge_IsReadAtEachScrape_AndASeriesNoLongerReportedDisappears()
    {
        using var exporter = new PrometheusExporter([_meter], NullLogger.Instance);
        var partitions = new List<int> { 0, 1 };
        _meter.CreateObservableGauge("t_partition_size", () => partitions.Select(p => new Measurement<long>(
            (p + 1) * 10,
            new KeyValuePair<string, object?>("topic", "t"),
            new KeyValuePair<string, object?>("partition", p))), "By", "Sizes.");

        Assert.Contains("t_partition_size{topic=\"t\",partition=\"1\"} 20\n", exporter.Scrape(), StringComparison.Ordinal);
        partitions.Remove(1);
        var second = exporter.Scrape();
        Assert.Contains("t_partition_size{topic=\"t\",partition=\"0\"} 10\n", second, StringComparison.Ordinal);
        Assert.DoesNotContain("partition=\"1\"", second, StringComparison.Ordinal);
    }

    [Fact]
    public void LabelValues_AndHelp_AreEscaped()
    {
        using var exporter = new PrometheusExporter([_meter], NullLogger.Instance);
        var counter = _meter.CreateCounter<long>("t_escaped_total", unit: null, "A \\ help\nline.");
        counter.Add(1, new KeyValuePair<string, object?>("group", "we\"ird\\group\nid"));

        var text = exporter.Scrape();
        Assert.Contains("# HELP t_escaped_total A \\\\ help\\nline.\n", text, StringComparison.Ordinal);
        Assert.Contains("t_escaped_total{group=\"we\\\"ird\\\\group\\nid\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void InstrumentsOfOtherMeters_AreNotExported()
    {
        using var other = new Meter("Rill.Tests.Other." + Guid.NewGuid().ToString("N"));
        using var exporter = new PrometheusExporter([_meter], NullLogger.Instance);
        other.CreateCounter<long>("t_foreign_total").Add(1);
        _meter.CreateCounter<long>("t_own_total").Add(1);

        var text = exporter.Scrape();
        Assert.DoesNotContain("t_foreign_total", text, StringComparison.Ordinal);
        Assert.Contains("t_own_total 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void RecordingIntoAnExistingSeries_AllocatesNothing()
    {
        using var exporter = new PrometheusExporter([_meter], NullLogger.Instance);
        var metrics = new NetworkMetrics(_meter);
        var topics = new TopicMetrics(_meter);
        var batch = ProduceFetchTests.Batch(3);
        var listener = NetworkMetrics.ListenerTag("PLAINTEXT");
        RecordOnce();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            RecordOnce();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Contains("rill_requests_total{api=\"Produce\"} 1001\n", exporter.Scrape(), StringComparison.Ordinal);

        void RecordOnce()
        {
            metrics.RequestReceived(Rill.Protocol.Messages.ApiKey.Produce);
            metrics.RequestCompleted(Rill.Protocol.Messages.ApiKey.Produce, TimeSpan.FromMilliseconds(1));
            metrics.RequestFailed(apiKey: null);
            metrics.ConnectionOpened(listener);
            metrics.ConnectionClosed(listener);
            topics.Produced("topic", batch.Length, 3);
            topics.Fetched("topic", batch.Length, 3);
        }
    }
}
