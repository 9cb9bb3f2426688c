using System.CommandLine;
using Confluent.Kafka.Admin;
using Rill.Cli.Perf.Librdkafka;

namespace Rill.Cli.Perf;

/// <summary>
/// <c>rill perf e2e TOPIC</c>: end-to-end latency, produce to consume, in one process on one monotonic clock (as
/// Kafka's EndToEndLatency, but at a steady rate instead of one record at a time).
/// </summary>
internal static class PerfE2eCommand
{
    private const long DefaultRecords = 10_000;

    public static Command Create(CliConsole console)
    {
        var topicArgument = new Argument<string>("topic") { Description = "The topic to write to and read back." };
        var records = PerfOptions.Records($"Records to send and receive (default {DefaultRecords:N0} unless --duration).");
        var duration = PerfOptions.Duration("Send for this long instead: 30s, 2m.");
        var recordSize = PerfOptions.RecordSize(minimum: Librdkafka.E2eValue.MinimumSize);
        var throughput = PerfOptions.Throughput(1_000, "Records per second to send; -1 is as fast as possible, which measures queueing more than latency.");
        var acks = PerfOptions.Acks();
        var linger = PerfOptions.LingerMs(0);
        var batchSize = PerfOptions.BatchSize();
        var compression = PerfOptions.Compression();
        var idleTimeout = PerfOptions.IdleTimeout();
        var createPartitions = PerfOptions.CreatePartitions();
        var progress = PerfOptions.Progress();
        var command = new Command("e2e", "Send records at a steady rate, read them back, and report produce-to-consume latency.")
        {
            topicArgument, records, duration, recordSize, throughput, acks, linger, batchSize, compression, idleTimeout, createPartitions, progress,
        };
        command.WithExamples(
            "rill perf e2e latency --create-partitions 1",
            "rill perf e2e latency --throughput 10000 --duration 1m --acks 1",
            "rill perf e2e latency --records 5000 --output json | jq .latency");
        CommandOptions.MutuallyExclusive(command, records, duration);
        CommandRunner.SetAction(command, console, "Produce", async (context, parse, cancellationToken) =>
        {
            var settings = new ProduceSettings
            {
                Topic = parse.GetRequiredValue(topicArgument),
                Driver = PerfDriver.Confluent,
                Records = parse.GetValue(records) ?? (parse.GetValue(duration) is null ? DefaultRecords : null),
                Duration = parse.GetValue(duration),
                RecordSize = parse.GetValue(recordSize),
                Throughput = parse.GetValue(throughput),
                Acks = PerfOptions.ParseAcks(parse.GetRequiredValue(acks)),
                LingerMs = parse.GetValue(linger),
                BatchSize = parse.GetValue(batchSize),
                Compression = parse.GetRequiredValue(compression),
                Keys = KeyDistribution.None,
                KeyCount = 1,
                Producers = 1,
                Connections = 1,
                InFlight = 1,
            };

            List<int> partitions;
            Dictionary<int, long> ends;
            using (var admin = await ClusterAdmin.ConnectAsync(context, cancellationToken))
            {
                partitions = await PerfTopic.PartitionsAsync(admin, context, settings.Topic, canCreate: true, parse.GetValue(createPartitions), cancellationToken);
                ends = await PerfTopic.OffsetsAsync(admin, settings.Topic, partitions, OffsetSpec.Latest());
            }

            var counters = new PerfCounters();
            var run = await PerfProgress.RunAsync(
                context,
                parse.GetValue(progress),
                $"perf e2e {settings.Topic}",
                counters,
                settings.Records,
                settings.Duration,
                () => ConfluentE2eDriver.RunAsync(context, settings, parse.GetValue(idleTimeout), partitions, ends, counters, cancellationToken));

            PerfReportPrinter.Print(context, Report(settings, partitions.Count, run));
            if (run.Failed > 0)
            {
                throw CliException.Failed($"{run.Failed} records were not written: {run.Error}");
            }

            if (run.Error is not null)
            {
                throw CliException.Failed($"{run.Error} (received {run.Records} records)");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static PerfReport Report(ProduceSettings settings, int partitions, PerfRun run)
    {
        var (seconds, recordsPerSecond, mibPerSecond) = PerfReport.Rates(run);
        return new PerfReport(
            Mode: "e2e",
            Driver: "confluent",
            Topic: settings.Topic,
            Partitions: partitions,
            Producers: 1,
            Consumers: 1,
            Connections: null,
            InFlight: null,
            Acks: settings.AcksName,
            RecordSize: settings.RecordSize,
            BatchSize: settings.BatchSize,
            LingerMs: settings.LingerMs,
            ReportEvery: null,
            Compression: settings.Compression,
            Keys: "none",
            ThroughputLimit: settings.Throughput,
            Group: null,
            Records: run.Records,
            Failed: run.Failed,
            Bytes: run.Bytes,
            BytesCounted: "values",
            ElapsedSeconds: seconds,
            RecordsPerSecond: recordsPerSecond,
            MibPerSecond: mibPerSecond,
            Latency: run.Latency is { Count: > 0 } latency ? LatencyReport.From("produce-to-consume", latency) : null,
            Error: run.Error);
    }
}
