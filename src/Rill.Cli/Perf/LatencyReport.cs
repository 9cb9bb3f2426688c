namespace Rill.Cli.Perf;

/// <summary>Latency figures in milliseconds, from a <see cref="LatencyHistogram"/> of microseconds.</summary>
/// <param name="Measures">What one value is: <c>send-to-ack</c> (produce) or <c>produce-to-consume</c> (e2e).</param>
/// <param name="Count">Values recorded: one per record.</param>
internal sealed record LatencyReport(string Measures, long Count, double MeanMs, double P50Ms, double P99Ms, double P999Ms, double MaxMs)
{
    public static LatencyReport From(string measures, LatencyHistogram histogram) => new(
        measures,
        histogram.Count,
        Milliseconds(histogram.Mean),
        Milliseconds(histogram.ValueAtPercentile(50)),
        Milliseconds(histogram.ValueAtPercentile(99)),
        Milliseconds(histogram.ValueAtPercentile(99.9)),
        Milliseconds(histogram.Max));

    private static double Milliseconds(double microseconds) => Math.Round(microseconds / 1_000, 3);
}
