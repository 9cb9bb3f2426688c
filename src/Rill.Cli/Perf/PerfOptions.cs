using System.CommandLine;
using System.Globalization;

namespace Rill.Cli.Perf;

/// <summary>The options the perf commands share; each call makes new instances, as every command needs its own.</summary>
internal static class PerfOptions
{
    public static Option<string> Driver() => new Option<string>("--driver")
    {
        Description = "confluent (Confluent.Kafka/librdkafka, what applications see) or native (Rill's own protocol client: pre-built batches, pipelined requests, what the brokers can take).",
        DefaultValueFactory = _ => "confluent",
    }.AcceptOnlyFromAmong("confluent", "native");

    public static Option<long?> Records(string description) =>
        CommandOptions.Parsed<long>("--records", description, "N", (string token, out long value, out string error) =>
        {
            error = $"--records must be a whole number of at least 1, got '{token}'";
            return long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1;
        }, "-n");

    public static Option<TimeSpan?> Duration(string description) =>
        CommandOptions.Parsed<TimeSpan>("--duration", description, "duration", (string token, out TimeSpan value, out string error) =>
        {
            error = $"--duration: '{token}' is not a positive duration (30s, 500ms, 2m)";
            return ValueParsers.TryParseDuration(token, out value) && value > TimeSpan.Zero;
        });

    public static Option<int> RecordSize(int minimum) =>
        Integer("--record-size", 100, minimum, $"Bytes in each record's value (at least {minimum}).", "BYTES", "-s");

    public static Option<long> Throughput(long defaultValue, string description) =>
        WithDefault("--throughput", defaultValue, description, "N", (string token, out long value, out string error) =>
        {
            error = $"--throughput must be a positive number of records per second or -1 (unlimited), got '{token}'";
            return long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && (value > 0 || value == -1);
        });

    public static Option<string> Acks() => new Option<string>("--acks")
    {
        Description = "Acknowledgements to wait for: all (-1), 1 (the leader), 0 (none).",
        DefaultValueFactory = _ => "all",
    }.AcceptOnlyFromAmong("all", "-1", "1", "0");

    public static short ParseAcks(string acks) => acks switch
    {
        "0" => 0,
        "1" => 1,
        _ => -1,
    };

    public static Option<int> LingerMs(int defaultValue) =>
        Integer("--linger-ms", defaultValue, 0, $"How long librdkafka waits to fill a batch (default {defaultValue}; Confluent driver).", "MS");

    public static Option<int> BatchSize() =>
        Integer("--batch-size", 16_384, 128, "Bytes of records per batch (Kafka's batch.size).", "BYTES");

    public static Option<string> Compression() => new Option<string>("--compression", "-z")
    {
        Description = "Compression codec for record batches.",
        DefaultValueFactory = _ => "none",
    }.AcceptOnlyFromAmong("none", "gzip", "snappy", "lz4", "zstd");

    public static Option<int?> CreatePartitions() =>
        CommandOptions.Parsed<int>("--create-partitions", "Create the topic with N partitions if it does not exist (replication factor: the broker's default).", "N", (string token, out int value, out string error) =>
        {
            error = $"--create-partitions must be a whole number of at least 1, got '{token}'";
            return int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1;
        });

    public static Option<int> ReportEvery() =>
        Integer(
            "--report-every",
            1,
            1,
            "Confluent driver: ask librdkafka for a delivery report on every Nth record only (default 1: every record, as Kafka's tool). "
            + "A report costs the .NET client about a microsecond, which holds a producer near 500k records/s on two cores; with N > 1 "
            + "latency is measured on every Nth record, and the records written are the growth of the partitions' end offsets "
            + "(exact when nothing else writes to the topic meanwhile).",
            "N");

    public static Option<int> Connections() =>
        Integer("--connections", 1, 1, "Native driver: connections to each partition leader.", "N");

    public static Option<int> InFlight(string what) =>
        Integer("--in-flight", 16, 1, $"Native driver: {what} in flight on each connection.", "N");

    public static Option<TimeSpan> IdleTimeout() =>
        WithDefault("--idle-timeout", TimeSpan.FromSeconds(10), "Give up (exit 1) when no record arrived for this long: 10s, 500ms, 2m.", "duration", (string token, out TimeSpan value, out string error) =>
        {
            error = $"--idle-timeout: '{token}' is not a positive duration (10s, 500ms, 2m)";
            return ValueParsers.TryParseDuration(token, out value) && value > TimeSpan.Zero;
        });

    public static Option<bool> Progress() => new("--progress")
    {
        Description = "Print a progress line on stderr every second even when stderr is not a terminal (a terminal gets a live bar anyway, unless --output json).",
    };

    /// <summary>An integer option with a default and a minimum.</summary>
    public static Option<int> Integer(string name, int defaultValue, int minimum, string description, string helpName, params string[] aliases) =>
        WithDefault(name, defaultValue, description, helpName, (string token, out int value, out string error) =>
        {
            error = $"{name} must be a whole number of at least {minimum}, got '{token}'";
            return int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && value >= minimum;
        }, aliases);

    /// <summary>
    /// An option with a default whose text is checked while parsing: a validator would run even after a parse
    /// error, and reading the value there throws instead of reporting a usage error.
    /// </summary>
    public static Option<T> WithDefault<T>(string name, T defaultValue, string description, string helpName, CommandOptions.TryParse<T> parse, params string[] aliases) =>
        new(name, aliases)
        {
            Description = description,
            HelpName = helpName,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result =>
            {
                if (parse(result.Tokens[^1].Value, out var value, out var error))
                {
                    return value;
                }

                result.AddError(error);
                return defaultValue;
            },
        };

    /// <summary>A usage error when an option that only <paramref name="driver"/> uses is given with the other driver.</summary>
    public static void OnlyFor(Command command, Option<string> driverOption, string driver, params Option[] options)
    {
        command.Validators.Add(result =>
        {
            // The default (confluent) is not filled in while validating: an absent --driver means confluent.
            var chosen = result.GetResult(driverOption) is { Implicit: false, Tokens.Count: > 0 } given ? given.Tokens[^1].Value : "confluent";
            if (chosen == driver)
            {
                return;
            }

            foreach (var option in options)
            {
                if (result.GetResult(option) is { Implicit: false })
                {
                    result.AddError($"{option.Name} applies to --driver {driver} only");
                }
            }
        });
    }

    public static PerfDriver ParseDriver(string driver) => driver == "native" ? PerfDriver.Native : PerfDriver.Confluent;
}
