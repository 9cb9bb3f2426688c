using System.CommandLine;
using Rill.Cli.Perf.Librdkafka;
using Rill.Cli.Perf.Native;

namespace Rill.Cli.Perf;

/// <summary>
/// <c>rill perf produce TOPIC</c>: writes <c>--records</c> records (or for <c>--duration</c>) as fast as allowed and
/// reports throughput and send-to-acknowledgement latency, as Kafka's ProducerPerformance does.
/// </summary>
internal static class PerfProduceCommand
{
    private const long DefaultRecords = 1_000_000;

    public static Command Create(CliConsole console)
    {
        var topicArgument = new Argument<string>("topic") { Description = "The topic to write to." };
        var driver = PerfOptions.Driver();
        var records = PerfOptions.Records($"Records to write in all (default {DefaultRecords:N0} unless --duration).");
        var duration = PerfOptions.Duration("Write for this long instead: 30s, 2m.");
        var recordSize = PerfOptions.RecordSize(minimum: 1);
        var throughput = PerfOptions.Throughput(-1, "Records per second for the whole run; -1 is as fast as possible.");
        var acks = PerfOptions.Acks();
        var linger = PerfOptions.LingerMs(5);
        var batchSize = PerfOptions.BatchSize();
        var compression = PerfOptions.Compression();
        var keys = new Option<string>("--keys")
        {
            Description = "none, random or sequential: draw each record's key from --key-count keys. Confluent driver: keys choose partitions by murmur2, as Java; native: keys are built into the one batch.",
            DefaultValueFactory = _ => "none",
        }.AcceptOnlyFromAmong("none", "random", "sequential");
        var keyCount = PerfOptions.Integer("--key-count", 1_000, 1, "Distinct keys for --keys.", "N");
        var producers = PerfOptions.Integer("--producers", 1, 1, "Confluent driver: producers side by side, each with its share of records and rate.", "K");
        var reportEvery = PerfOptions.ReportEvery();
        var connections = PerfOptions.Connections();
        var inFlight = PerfOptions.InFlight("Produce requests");
        var createPartitions = PerfOptions.CreatePartitions();
        var progress = PerfOptions.Progress();
        var command = new Command("produce", "Write records as fast as allowed and report throughput and send-to-ack latency (Kafka's producer perf test).")
        {
            topicArgument, driver, records, duration, recordSize, throughput, acks, linger, batchSize, compression, keys, keyCount,
            producers, reportEvery, connections, inFlight, createPartitions, progress,
        };
        command.WithExamples(
            "rill perf produce perf --records 1000000 --record-size 100 --create-partitions 6",
            "rill perf produce perf --acks 1 --linger-ms 5 --producers 4 --compression lz4",
            "rill perf produce perf --acks 1 --producers 2 --report-every 64 --records 10000000",
            "rill perf produce perf --driver native --connections 2 --in-flight 32 --duration 30s",
            "rill perf produce perf --throughput 50000 --keys random --key-count 100 --output json");
        CommandOptions.MutuallyExclusive(command, records, duration);
        PerfOptions.OnlyFor(command, driver, "native", connections, inFlight);
        PerfOptions.OnlyFor(command, driver, "confluent", linger, producers, reportEvery);
        CommandRunner.SetAction(command, console, "Produce", async (context, parse, cancellationToken) =>
        {
            var settings = new ProduceSettings
            {
                Topic = parse.GetRequiredValue(topicArgument),
                Driver = PerfOptions.ParseDriver(parse.GetRequiredValue(driver)),
                Records = parse.GetValue(records) ?? (parse.GetValue(duration) is null ? DefaultRecords : null),
                Duration = parse.GetValue(duration),
                RecordSize = parse.GetValue(recordSize),
                Throughput = parse.GetValue(throughput),
                Acks = PerfOptions.ParseAcks(parse.GetRequiredValue(acks)),
                LingerMs = parse.GetValue(linger),
                BatchSize = parse.GetValue(batchSize),
                Compression = parse.GetRequiredValue(compression),
                Keys = Enum.Parse<KeyDistribution>(parse.GetRequiredValue(keys), ignoreCase: true),
                KeyCount = parse.GetValue(keyCount),
                Producers = parse.GetValue(producers),
                ReportEvery = parse.GetValue(reportEvery),
                Connections = parse.GetValue(connections),
                InFlight = parse.GetValue(inFlight),
            };

            List<int> partitions;
            using (var admin = await ClusterAdmin.ConnectAsync(context, cancellationToken))
            {
                partitions = await PerfTopic.PartitionsAsync(admin, context, settings.Topic, canCreate: true, parse.GetValue(createPartitions), cancellationToken);
            }

            var counters = new PerfCounters();
            var run = await PerfProgress.RunAsync(
                context,
                parse.GetValue(progress),
                $"perf produce {settings.Topic}",
                counters,
                settings.Records,
                settings.Duration,
                () => settings.Driver == PerfDriver.Native
                    ? NativeProduceDriver.RunAsync(context, settings, counters, cancellationToken)
                    : ConfluentProduceDriver.RunAsync(context, settings, partitions, counters, cancellationToken));

            PerfReportPrinter.Print(context, Report(settings, partitions.Count, run));
            if (run.Failed > 0)
            {
                throw CliException.Failed($"{run.Failed} of {run.Records + run.Failed} records were not written: {run.Error}");
            }

            if (run.Error is not null)
            {
                throw CliException.Failed(run.Error);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static PerfReport Report(ProduceSettings settings, int partitions, PerfRun run)
    {
        var native = settings.Driver == PerfDriver.Native;
        var (seconds, recordsPerSecond, mibPerSecond) = PerfReport.Rates(run);
        return new PerfReport(
            Mode: "produce",
            Driver: native ? "native" : "confluent",
            Topic: settings.Topic,
            Partitions: partitions,
            Producers: native ? null : settings.Producers,
            Consumers: null,
            Connections: run.Connections,
            InFlight: native ? settings.InFlight : null,
            Acks: settings.AcksName,
            RecordSize: settings.RecordSize,
            BatchSize: settings.BatchSize,
            LingerMs: native ? null : settings.LingerMs,
            ReportEvery: native ? null : settings.ReportEvery,
            Compression: settings.Compression,
            Keys: settings.Keys.ToString().ToLowerInvariant(),
            ThroughputLimit: settings.Throughput,
            Group: null,
            Records: run.Records,
            Failed: run.Failed,
            Bytes: run.Bytes,
            BytesCounted: "values",
            ElapsedSeconds: seconds,
            RecordsPerSecond: recordsPerSecond,
            MibPerSecond: mibPerSecond,
            Latency: run.Latency is { Count: > 0 } latency ? LatencyReport.From(settings.Acks == 0 ? "send" : "send-to-ack", latency) : null,
            Error: run.Error);
    }
}
