using System.CommandLine;

namespace Rill.Cli.Perf;

/// <summary>The options the perf commands share; each call makes new instances, as every command needs its own.</summary>
internal static class PerfOptions
{
    public static Option<string> Driver() => new Option<string>("--driver")
    {
        Description = "confluent (Confluent.Kafka/librdkafka, what applications see; default) or native (Rill's own protocol client: pre-built batches, pipelined requests, what the brokers can take).",
        DefaultValueFactory = _ => "confluent",
    }.AcceptOnlyFromAmong("confluent", "native");

    public static Option<long?> Records(string description)
    {
        var option = new Option<long?>("--records", "-n") { Description = description, HelpName = "N" };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long?>() is < 1 and var value)
            {
                result.AddError($"--records must be at least 1, got {value}");
            }
        });
        return option;
    }

    public static Option<TimeSpan?> Duration(string description)
    {
        var option = CommandOptions.Duration("--duration", description);
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<TimeSpan?>() is { } value && value <= TimeSpan.Zero)
            {
                result.AddError("--duration must be positive");
            }
        });
        return option;
    }

    public static Option<int> RecordSize(int minimum) =>
        Integer("--record-size", 100, minimum, $"Bytes in each record's value (default 100, at least {minimum}).", "BYTES", "-s");

    public static Option<long> Throughput(long defaultValue, string description)
    {
        var option = new Option<long>("--throughput") { Description = description, HelpName = "N", DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<long>();
            if (value is 0 or < -1)
            {
                result.AddError($"--throughput must be positive or -1 (unlimited), got {value}");
            }
        });
        return option;
    }

    public static Option<string> Acks() => new Option<string>("--acks")
    {
        Description = "Acknowledgements to wait for: all (-1, default), 1 (the leader), 0 (none).",
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
        Integer("--batch-size", 16_384, 128, "Bytes of records per batch (default 16384, Kafka's batch.size).", "BYTES");

    public static Option<string> Compression() => new Option<string>("--compression", "-z")
    {
        Description = "Compression codec for record batches (default none).",
        DefaultValueFactory = _ => "none",
    }.AcceptOnlyFromAmong("none", "gzip", "snappy", "lz4", "zstd");

    public static Option<int?> CreatePartitions() =>
        CommandOptions.AtLeast("--create-partitions", 1, "Create the topic with N partitions if it does not exist (replication factor: the broker's default).");

    public static Option<int> Connections() =>
        Integer("--connections", 1, 1, "Native driver: connections to each partition leader (default 1).", "N");

    public static Option<int> InFlight(string what) =>
        Integer("--in-flight", 16, 1, $"Native driver: {what} in flight on each connection (default 16).", "N");

    public static Option<TimeSpan> IdleTimeout()
    {
        var option = new Option<TimeSpan>("--idle-timeout")
        {
            Description = "Give up (exit 1) when no record arrived for this long: 10s (default), 500ms, 2m.",
            HelpName = "duration",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(10),
            CustomParser = result =>
            {
                var token = result.Tokens[^1].Value;
                if (ValueParsers.TryParseDuration(token, out var value) && value > TimeSpan.Zero)
                {
                    return value;
                }

                result.AddError($"--idle-timeout: '{token}' is not a positive duration (10s, 500ms, 2m)");
                return TimeSpan.Zero;
            },
        };
        return option;
    }

    public static Option<bool> Progress() => new("--progress")
    {
        Description = "Print a progress line on stderr every second even when stderr is not a terminal (a terminal gets a live bar anyway, unless --output json).",
    };

    /// <summary>An integer option with a default and a minimum.</summary>
    public static Option<int> Integer(string name, int defaultValue, int minimum, string description, string helpName, params string[] aliases)
    {
        var option = new Option<int>(name, aliases) { Description = description, HelpName = helpName, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<int>();
            if (value < minimum)
            {
                result.AddError($"{name} must be at least {minimum}, got {value}");
            }
        });
        return option;
    }

    /// <summary>A usage error when an option that only <paramref name="driver"/> uses is given with the other driver.</summary>
    public static void OnlyFor(Command command, Option<string> driverOption, string driver, params Option[] options)
    {
        command.Validators.Add(result =>
        {
            // The default (confluent) is not filled in while validating: an absent --driver means confluent.
            var chosen = result.GetResult(driverOption) is { Implicit: false } given ? given.GetValueOrDefault<string>() : "confluent";
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
