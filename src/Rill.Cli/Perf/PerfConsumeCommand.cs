using System.CommandLine;
using Confluent.Kafka.Admin;
using Rill.Cli.Perf.Librdkafka;
using Rill.Cli.Perf.Native;

namespace Rill.Cli.Perf;

/// <summary>
/// <c>rill perf consume TOPIC</c>: reads the topic from its earliest offsets (or as a group) and reports throughput,
/// as Kafka's ConsumerPerformance does. Without <c>--records</c> it reads what the partitions held at the start.
/// </summary>
internal static class PerfConsumeCommand
{
    public static Command Create(CliConsole console)
    {
        var topicArgument = new Argument<string>("topic") { Description = "The topic to read." };
        var driver = PerfOptions.Driver();
        var records = PerfOptions.Records("Stop after this many records (default: what the partitions hold when the run starts).");
        var idleTimeout = PerfOptions.IdleTimeout();
        var consumers = PerfOptions.Integer("--consumers", 1, 1, "Confluent driver: consumers side by side, the partitions split between them.", "K");
        var group = new Option<string?>("--group", "-g")
        {
            Description = "Confluent driver: consume as members of this group (committed offsets, auto-commit) instead of assigning every partition from its earliest offset.",
            HelpName = "group",
        };
        var fetchMinBytes = PerfOptions.Integer("--fetch-min-bytes", 1, 1, "Bytes a broker waits for before answering a Fetch.", "BYTES");
        var fetchMaxBytes = PerfOptions.Integer("--fetch-max-bytes", 52_428_800, 1_024, "Bytes at most in one Fetch response.", "BYTES");
        var fetchMaxWait = PerfOptions.Integer("--fetch-max-wait-ms", 500, 0, "How long a broker may wait for --fetch-min-bytes.", "MS");
        var partitionMaxBytes = PerfOptions.Integer("--partition-max-bytes", 1_048_576, 1_024, "Bytes at most per partition in one Fetch response.", "BYTES");
        var connections = PerfOptions.Connections();
        var inFlight = PerfOptions.InFlight("Fetch requests (one per set of partitions)");
        var progress = PerfOptions.Progress();
        var command = new Command("consume", "Read a topic as fast as possible and report throughput (Kafka's consumer perf test).")
        {
            topicArgument, driver, records, idleTimeout, consumers, group, fetchMinBytes, fetchMaxBytes, fetchMaxWait, partitionMaxBytes,
            connections, inFlight, progress,
        };
        command.WithExamples(
            "rill perf consume perf",
            "rill perf consume perf --records 1000000 --consumers 3",
            "rill perf consume perf --group perf-readers --records 1000000",
            "rill perf consume perf --driver native --in-flight 6 --output json");
        PerfOptions.OnlyFor(command, driver, "native", connections, inFlight);
        PerfOptions.OnlyFor(command, driver, "confluent", consumers, group);
        CommandRunner.SetAction(command, console, "Fetch", async (context, parse, cancellationToken) =>
        {
            var settings = new ConsumeSettings
            {
                Topic = parse.GetRequiredValue(topicArgument),
                Driver = PerfOptions.ParseDriver(parse.GetRequiredValue(driver)),
                Records = parse.GetValue(records),
                IdleTimeout = parse.GetValue(idleTimeout),
                Consumers = parse.GetValue(consumers),
                Group = parse.GetValue(group),
                FetchMinBytes = parse.GetValue(fetchMinBytes),
                FetchMaxBytes = parse.GetValue(fetchMaxBytes),
                FetchMaxWaitMs = parse.GetValue(fetchMaxWait),
                PartitionMaxBytes = parse.GetValue(partitionMaxBytes),
                Connections = parse.GetValue(connections),
                InFlight = parse.GetValue(inFlight),
            };

            List<int> partitions;
            Dictionary<int, long> starts;
            Dictionary<int, long> ends;
            using (var admin = await ClusterAdmin.ConnectAsync(context, cancellationToken))
            {
                partitions = await PerfTopic.PartitionsAsync(admin, context, settings.Topic, canCreate: false, createPartitions: null, cancellationToken);
                starts = await PerfTopic.OffsetsAsync(admin, settings.Topic, partitions, OffsetSpec.Earliest());
                ends = await PerfTopic.OffsetsAsync(admin, settings.Topic, partitions, OffsetSpec.Latest());
            }

            var counters = new PerfCounters();
            var total = settings.Records ?? partitions.Sum(p => Math.Max(0, ends[p] - starts[p]));
            var run = await PerfProgress.RunAsync(
                context,
                parse.GetValue(progress),
                $"perf consume {settings.Topic}",
                counters,
                total,
                duration: null,
                () => settings.Driver == PerfDriver.Native
                    ? NativeConsumeDriver.RunAsync(context, settings, starts, ends, counters, cancellationToken)
                    : ConfluentConsumeDriver.RunAsync(context, settings, partitions, starts, ends, counters, cancellationToken));

            PerfReportPrinter.Print(context, Report(settings, partitions.Count, run));
            if (run.Error is not null)
            {
                throw CliException.Failed($"{run.Error} (read {run.Records} of {total} records)");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static PerfReport Report(ConsumeSettings settings, int partitions, PerfRun run)
    {
        var native = settings.Driver == PerfDriver.Native;
        var (seconds, recordsPerSecond, mibPerSecond) = PerfReport.Rates(run);
        return new PerfReport(
            Mode: "consume",
            Driver: native ? "native" : "confluent",
            Topic: settings.Topic,
            Partitions: partitions,
            Producers: null,
            Consumers: native ? null : settings.Consumers,
            Connections: run.Connections,
            InFlight: native ? settings.InFlight : null,
            Acks: null,
            RecordSize: null,
            BatchSize: null,
            LingerMs: null,
            ReportEvery: null,
            Compression: null,
            Keys: null,
            ThroughputLimit: null,
            Group: settings.Group,
            Records: run.Records,
            Failed: run.Failed,
            Bytes: run.Bytes,
            BytesCounted: native ? "batches" : "keys-and-values",
            ElapsedSeconds: seconds,
            RecordsPerSecond: recordsPerSecond,
            MibPerSecond: mibPerSecond,
            Latency: null,
            Error: run.Error);
    }
}
