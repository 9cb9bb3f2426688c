namespace Rill.Cli.Perf;

/// <summary>
/// What <c>rill perf</c> prints: the settings that shape the figures, then the figures. Every field is always present
/// (null where it does not apply), so scripts can rely on the shape; docs/cli.md lists them.
/// </summary>
/// <param name="Mode">produce, consume or e2e.</param>
/// <param name="Driver">confluent or native.</param>
/// <param name="Producers">Producers side by side (Confluent.Kafka), or null.</param>
/// <param name="Consumers">Consumers side by side (Confluent.Kafka), or null.</param>
/// <param name="Connections">Connections opened by the native driver, or null.</param>
/// <param name="InFlight">Requests in flight per connection (native driver), or null.</param>
/// <param name="ReportEvery">Confluent producer: a delivery report (and a latency) on every this-many-th record; null otherwise.</param>
/// <param name="ThroughputLimit">Records per second asked for, -1 unlimited; null when consuming.</param>
/// <param name="Records">Records written (acknowledged; with acks=0, sent) or read.</param>
/// <param name="Failed">Records not written, or failed fetches, counted as failures.</param>
/// <param name="BytesCounted">What <paramref name="Bytes"/> adds up: <c>values</c>, <c>keys-and-values</c> or <c>batches</c> (record batches as fetched, headers included).</param>
/// <param name="MibPerSecond">Bytes per second in MiB (2^20 bytes).</param>
internal sealed record PerfReport(
    string Mode,
    string Driver,
    string Topic,
    int Partitions,
    int? Producers,
    int? Consumers,
    int? Connections,
    int? InFlight,
    string? Acks,
    int? RecordSize,
    int? BatchSize,
    int? LingerMs,
    int? ReportEvery,
    string? Compression,
    string? Keys,
    long? ThroughputLimit,
    string? Group,
    long Records,
    long Failed,
    long Bytes,
    string BytesCounted,
    double ElapsedSeconds,
    double RecordsPerSecond,
    double MibPerSecond,
    LatencyReport? Latency,
    string? Error)
{
    public static (double Seconds, double RecordsPerSecond, double MibPerSecond) Rates(PerfRun run)
    {
        var seconds = run.Elapsed.TotalSeconds;
        if (seconds <= 0)
        {
            return (0, 0, 0);
        }

        return (Math.Round(seconds, 3), Math.Round(run.Records / seconds, 1), Math.Round(run.Bytes / seconds / (1 << 20), 2));
    }
}
