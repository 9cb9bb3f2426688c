using System.CommandLine;

namespace Rill.Cli.Perf;

/// <summary><c>rill perf produce|consume|e2e</c>: Kafka's producer and consumer perf tests, and end-to-end latency.</summary>
internal static class PerfCommand
{
    public static Command Create(CliConsole console) => new("perf", "Measure throughput and latency against any Kafka-compatible cluster: produce, consume, end to end.")
    {
        PerfProduceCommand.Create(console),
        PerfConsumeCommand.Create(console),
        PerfE2eCommand.Create(console),
    };
}
