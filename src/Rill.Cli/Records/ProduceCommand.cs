using System.CommandLine;
using System.Text;
using Confluent.Kafka;
using Rill.Cli.Topics;

namespace Rill.Cli.Records;

/// <summary>
/// <c>rill produce TOPIC</c>: one record per line of stdin or <c>--file</c>, with an optional key separator
/// (kcat's -K), a fixed partition, headers, compression and acks; prints how many records went where.
/// </summary>
internal static class ProduceCommand
{
    public static Command Create(CliConsole console)
    {
        var topicArgument = new Argument<string>("topic") { Description = "The topic to write to (it must exist)." };
        var file = new Option<FileInfo?>("--file", "-f") { Description = "Read records from this file instead of stdin, one per line.", HelpName = "path" };
        var keySeparator = new Option<string?>("--key-separator", "-K")
        {
            Description = "Split each line at the first SEP into key and value; a line without SEP is a value with no key.",
            HelpName = "SEP",
        };
        keySeparator.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { Length: 0 })
            {
                result.AddError("--key-separator must not be empty");
            }
        });
        var partition = CommandOptions.AtLeast("--partition", 0, "Write every record to this partition (default: by key, murmur2 as the Java client; keyless records spread).", "-p");
        var headers = CommandOptions.KeyValues("--header", "A header added to every record, key=value (repeatable).", "-H");
        var compression = new Option<string>("--compression", "-z")
        {
            Description = "Compression codec for record batches.",
            DefaultValueFactory = _ => "none",
        }.AcceptOnlyFromAmong("none", "gzip", "snappy", "lz4", "zstd");
        var acks = new Option<string>("--acks")
        {
            Description = "Acknowledgements to wait for: all (-1, default), 1 (the leader), 0 (none; offsets are then unknown).",
            DefaultValueFactory = _ => "all",
        }.AcceptOnlyFromAmong("all", "-1", "1", "0");
        var command = new Command("produce", "Write records to a topic, one per line of stdin or --file; prints how many went to each partition and at which offsets.")
        {
            topicArgument, file, keySeparator, partition, headers, compression, acks,
        };
        command.WithExamples(
            "printf 'one\\ntwo\\n' | rill produce orders",
            "printf 'alice:order-1\\nbob:order-2\\n' | rill produce orders --key-separator :",
            "rill produce orders --file orders.txt -K : --header source=import --compression zstd",
            "echo hello | rill produce orders --partition 2 --acks 1 --output json");
        CommandRunner.SetAction(command, console, "Produce", async (context, parse, cancellationToken) =>
        {
            var topic = parse.GetRequiredValue(topicArgument);
            var options = new ProduceOptions(
                topic,
                parse.GetValue(keySeparator),
                parse.GetValue(partition),
                parse.GetValue(headers) ?? [],
                parse.GetRequiredValue(compression),
                parse.GetRequiredValue(acks));

            var path = parse.GetValue(file);
            using (var admin = await ClusterAdmin.ConnectAsync(context, cancellationToken))
            {
                var partitions = await TopicLookup.PartitionsAsync(admin, topic);
                if (options.Partition is { } p && !partitions.Contains(p))
                {
                    throw CliException.Failed($"topic '{topic}' has no partition {p} (it has {partitions.Count}: 0-{partitions.Count - 1})");
                }
            }

            ProduceSummary summary;
            if (path is null)
            {
                summary = await ProduceLinesAsync(context, options, context.Console.In, fileLength: null, position: null, cancellationToken);
            }
            else
            {
                if (!path.Exists)
                {
                    throw CliException.Failed($"file '{path.FullName}' does not exist");
                }

                await using var stream = new FileStream(path.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, useAsync: true);
                using var reader = new StreamReader(stream, Encoding.UTF8);
                summary = await ProduceLinesAsync(context, options, reader, stream.Length, () => stream.Position, cancellationToken);
            }

            Print(context, summary);
            if (summary.Failed > 0)
            {
                var error = summary.FirstError!;
                var reason = error.Code is ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic
                    ? $"topic '{topic}' does not exist"
                    : KafkaErrors.Reason(error);
                throw CliException.Failed($"{summary.Failed} of {summary.Records + summary.Failed} records were not written: {reason}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<ProduceSummary> ProduceLinesAsync(
        CliContext context,
        ProduceOptions options,
        TextReader reader,
        long? fileLength,
        Func<long>? position,
        CancellationToken cancellationToken)
    {
        var tracker = new DeliveryTracker(options.Topic);
        var config = context.Configure(new ProducerConfig
        {
            Acks = options.Acks switch
            {
                "0" => Acks.None,
                "1" => Acks.Leader,
                _ => Acks.All,
            },
            CompressionType = options.Compression switch
            {
                "gzip" => CompressionType.Gzip,
                "snappy" => CompressionType.Snappy,
                "lz4" => CompressionType.Lz4,
                "zstd" => CompressionType.Zstd,
                _ => CompressionType.None,
            },
            LingerMs = 5,
            // Keys land where the Java client would put them, so rill and Java producers agree.
            Partitioner = Partitioner.Murmur2Random,
            MessageTimeoutMs = (int)Math.Max(context.Timeout.TotalMilliseconds * 3, 30_000),
        });
        KafkaNative.EnsureLoaded();
        using var producer = new ProducerBuilder<byte[]?, byte[]>(config)
            .SetErrorHandler((_, error) => context.Diagnose(error))
            .SetLogHandler((_, log) => context.Diagnose(log))
            .Build();

        var description = fileLength is null ? $"producing to {options.Topic}" : $"producing {options.Topic}";
        await ProgressDisplay.RunAsync(context, description, fileLength, async report =>
        {
            string? line;
            while ((line = await reader.ReadLineAsync(cancellationToken)) is not null)
            {
                var message = ToMessage(line, options);
                ProduceOne(producer, options, message, tracker, cancellationToken);
                if (position is not null)
                {
                    report(position());
                }
            }

            while (producer.Flush(TimeSpan.FromMilliseconds(100)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            return tracker.Completed;
        });
        return tracker.Summary();
    }

    private static void ProduceOne(IProducer<byte[]?, byte[]> producer, ProduceOptions options, Message<byte[]?, byte[]> message, DeliveryTracker tracker, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                if (options.Partition is { } partition)
                {
                    producer.Produce(new TopicPartition(options.Topic, partition), message, tracker.OnDelivery);
                }
                else
                {
                    producer.Produce(options.Topic, message, tracker.OnDelivery);
                }

                return;
            }
            catch (ProduceException<byte[]?, byte[]> exception) when (exception.Error.Code == ErrorCode.Local_QueueFull)
            {
                // The local queue is full: let deliveries drain, then try the same record again.
                cancellationToken.ThrowIfCancellationRequested();
                producer.Poll(TimeSpan.FromMilliseconds(50));
            }
        }
    }

    private static Message<byte[]?, byte[]> ToMessage(string line, ProduceOptions options)
    {
        byte[]? key = null;
        var value = line;
        if (options.KeySeparator is { } separator)
        {
            var at = line.IndexOf(separator, StringComparison.Ordinal);
            if (at >= 0)
            {
                key = Encoding.UTF8.GetBytes(line[..at]);
                value = line[(at + separator.Length)..];
            }
        }

        var message = new Message<byte[]?, byte[]> { Key = key, Value = Encoding.UTF8.GetBytes(value) };
        if (options.Headers.Count > 0)
        {
            message.Headers = [];
            foreach (var (name, headerValue) in options.Headers)
            {
                message.Headers.Add(name, Encoding.UTF8.GetBytes(headerValue));
            }
        }

        return message;
    }

    private static void Print(CliContext context, ProduceSummary summary)
    {
        if (context.Json)
        {
            context.WriteJson(summary);
            return;
        }

        context.Console.Out.Write($"produced {summary.Records} record{(summary.Records == 1 ? string.Empty : "s")} to {summary.Topic}\n");
        if (summary.Partitions.Count == 0)
        {
            return;
        }

        var table = context.NewTable("PARTITION", "RECORDS", "FIRST OFFSET", "LAST OFFSET");
        foreach (var partition in summary.Partitions)
        {
            CliContext.AddRow(table, CliContext.Number(partition.Partition), CliContext.Number(partition.Records), CliContext.Number(partition.FirstOffset), CliContext.Number(partition.LastOffset));
        }

        context.Stdout.Write(table);
    }

    private sealed record ProduceOptions(
        string Topic,
        string? KeySeparator,
        int? Partition,
        IReadOnlyList<KeyValuePair<string, string>> Headers,
        string Compression,
        string Acks);
}
