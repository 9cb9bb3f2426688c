using System.Globalization;

namespace Rill.Cli.Perf;

/// <summary>Prints a <see cref="PerfReport"/>: one JSON document, or a summary line and a two-column table.</summary>
internal static class PerfReportPrinter
{
    public static void Print(CliContext context, PerfReport report)
    {
        if (context.Json)
        {
            context.WriteJson(report);
            return;
        }

        context.Console.Out.Write(
            $"perf {report.Mode} {report.Topic} (driver {report.Driver}): {Count(report.Records)} records in {Decimal(report.ElapsedSeconds, 3)} s, " +
            $"{Count((long)report.RecordsPerSecond)} records/s, {Decimal(report.MibPerSecond, 2)} MiB/s\n");
        var table = context.NewTable("FIELD", "VALUE");
        Row(table, "driver", report.Driver);
        Row(table, "topic", report.Topic);
        Row(table, "partitions", Number(report.Partitions));
        Row(table, "producers", Number(report.Producers));
        Row(table, "consumers", Number(report.Consumers));
        Row(table, "connections", Number(report.Connections));
        Row(table, "in flight per connection", Number(report.InFlight));
        Row(table, "group", report.Group);
        Row(table, "acks", report.Acks);
        Row(table, "record size (bytes)", Number(report.RecordSize));
        Row(table, "batch size (bytes)", Number(report.BatchSize));
        Row(table, "linger (ms)", Number(report.LingerMs));
        Row(table, "delivery report every", Number(report.ReportEvery));
        Row(table, "compression", report.Compression);
        Row(table, "keys", report.Keys);
        Row(table, "throughput limit (records/s)", report.ThroughputLimit is { } limit ? (limit < 0 ? "unlimited" : Count(limit)) : null);
        Row(table, "records", Count(report.Records));
        Row(table, "failed", Count(report.Failed));
        Row(table, $"bytes ({report.BytesCounted})", Count(report.Bytes));
        Row(table, "elapsed (s)", Decimal(report.ElapsedSeconds, 3));
        Row(table, "records/s", Decimal(report.RecordsPerSecond, 1));
        Row(table, "MiB/s", Decimal(report.MibPerSecond, 2));
        if (report.Latency is { } latency)
        {
            Row(table, "latency measures", latency.Measures);
            Row(table, "latency mean (ms)", Decimal(latency.MeanMs, 3));
            Row(table, "latency p50 (ms)", Decimal(latency.P50Ms, 3));
            Row(table, "latency p99 (ms)", Decimal(latency.P99Ms, 3));
            Row(table, "latency p99.9 (ms)", Decimal(latency.P999Ms, 3));
            Row(table, "latency max (ms)", Decimal(latency.MaxMs, 3));
        }

        Row(table, "error", report.Error);
        context.Stdout.Write(table);
    }

    private static void Row(Spectre.Console.Table table, string name, string? value)
    {
        if (value is not null)
        {
            CliContext.AddRow(table, name, value);
        }
    }

    private static string? Number(int? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Decimal(double value, int digits) => value.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
