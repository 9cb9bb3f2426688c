namespace Rill.Cli.Perf;

/// <summary>What a driver measured: records and bytes done, failures, time, latencies (microseconds) and the first error.</summary>
/// <param name="Connections">Native driver: connections opened; null for Confluent.Kafka.</param>
internal sealed record PerfRun(
    long Records,
    long Failed,
    long Bytes,
    TimeSpan Elapsed,
    LatencyHistogram? Latency,
    string? Error,
    int? Connections);
