using System.CommandLine;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Rill.Cli.Topics;

namespace Rill.Cli.Records;

/// <summary>
/// <c>rill consume TOPIC</c>: prints records with a kcat-style <c>--format</c> (or JSON Lines), from the end by
/// default, from the beginning, an offset or a timestamp; in a group (<c>--group</c>, offsets committed for what
/// was printed) or by assigning partitions directly (no group).
/// </summary>
internal static class ConsumeCommand
{
    public static Command Create(CliConsole console)
    {
        var topicArgument = new Argument<string>("topic") { Description = "The topic to read." };
        var group = new Option<string?>("--group", "-g")
        {
            Description = "Consume as a member of this group: partitions come from the group, start at its committed offsets, and offsets of printed records are committed.",
            HelpName = "group",
        };
        var fromBeginning = new Option<bool>("--from-beginning") { Description = "Start at the earliest offset (in a group: when it has no committed offset)." };
        var offset = new Option<long?>("--offset")
        {
            Description = "Start at this offset in every partition; a negative N starts N records before the end.",
            HelpName = "N",
        };
        var timestamp = CommandOptions.Timestamp(
            "--timestamp",
            "Start at the first record at or after this time: milliseconds since the epoch or ISO 8601 (2025-01-31T12:00:00Z).");
        var count = CommandOptions.AtLeast("--count", 1, "Exit after this many records.", "-n");
        var partition = CommandOptions.AtLeast("--partition", 0, "Read only this partition.", "-p");
        var format = new Option<RecordFormat>("--format", "-f")
        {
            Description = "Output template: %t topic, %p partition, %o offset, %k key, %v value, %T timestamp (ms), %h headers, %K/%S key/value length, %%; escapes \\n \\t. Default: %v\\n.",
            HelpName = "template",
            DefaultValueFactory = _ => RecordFormat.Parse(RecordFormat.Default),
            CustomParser = result =>
            {
                if (RecordFormat.TryParse(result.Tokens[^1].Value, out var parsed, out var error))
                {
                    return parsed;
                }

                result.AddError(error);
                return RecordFormat.Parse(RecordFormat.Default);
            },
        };
        var exitAtEnd = new Option<bool>("--exit-at-end", "-e") { Description = "Exit when every partition read has reached its end (as kcat -e)." };
        var command = new Command("consume", "Read records from a topic and print them (--output json: one JSON object per line). Without --group nothing is committed.")
        {
            topicArgument, group, fromBeginning, offset, timestamp, count, partition, format, exitAtEnd,
        };
        command.WithExamples(
            "rill consume orders --from-beginning -e",
            "rill consume orders --group billing -n 100",
            "rill consume orders --offset 42 --partition 0 -n 1",
            "rill consume orders --timestamp 2025-01-31T12:00:00Z -e --format '%p:%o %k=%v\\n'",
            "rill consume orders --from-beginning -e --output json | jq -r .value");
        CommandOptions.MutuallyExclusive(command, fromBeginning, offset, timestamp);
        CommandRunner.SetAction(command, console, "Fetch", async (context, parse, cancellationToken) =>
        {
            var request = new ConsumeRequest(
                parse.GetRequiredValue(topicArgument),
                parse.GetValue(group),
                parse.GetValue(partition),
                parse.GetValue(count),
                parse.GetValue(exitAtEnd),
                parse.GetValue(fromBeginning),
                parse.GetRequiredValue(format));

            Dictionary<TopicPartition, Offset> starts;
            using (var admin = await ClusterAdmin.ConnectAsync(context, cancellationToken))
            {
                var partitions = await TopicLookup.PartitionsAsync(admin, request.Topic);
                if (request.Partition is { } p && !partitions.Contains(p))
                {
                    throw CliException.Failed($"topic '{request.Topic}' has no partition {p} (it has {partitions.Count}: 0-{partitions.Count - 1})");
                }

                var read = request.Partition is { } only ? [only] : partitions;
                starts = await StartOffsetsAsync(admin, request, [.. read.Select(n => new TopicPartition(request.Topic, n))], parse.GetValue(offset), parse.GetValue(timestamp));
            }

            // Records go to stdout; a progress bar on the same terminal would tear them, so it shows only for -n
            // with stdout redirected.
            await ProgressDisplay.RunAsync(
                context,
                $"consuming {request.Topic}",
                request.Count,
                show: request.Count is not null && !context.Console.IsOutputTerminal,
                report => Task.Run(() => new RecordPrinter(context, request, starts, report).Run(cancellationToken), CancellationToken.None));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Where each partition starts: an explicit offset, a timestamp's offset, the beginning, the committed offset or the end.</summary>
    private static async Task<Dictionary<TopicPartition, Offset>> StartOffsetsAsync(
        ClusterAdmin admin,
        ConsumeRequest request,
        List<TopicPartition> partitions,
        long? offset,
        long? timestamp)
    {
        if (timestamp is { } unixMs)
        {
            var found = await TopicLookup.ListOffsetsAsync(admin, partitions, OffsetSpec.ForTimestamp(unixMs));
            return partitions.ToDictionary(tp => tp, tp => found[tp] >= 0 ? new Offset(found[tp]) : Offset.End);
        }

        if (offset is { } n)
        {
            if (n >= 0)
            {
                return partitions.ToDictionary(tp => tp, _ => new Offset(n));
            }

            var earliest = await TopicLookup.ListOffsetsAsync(admin, partitions, OffsetSpec.Earliest());
            var latest = await TopicLookup.ListOffsetsAsync(admin, partitions, OffsetSpec.Latest());
            return partitions.ToDictionary(tp => tp, tp => new Offset(Math.Max(earliest[tp], latest[tp] + n)));
        }

        // In a group --from-beginning only matters where the group has no committed offset (auto.offset.reset), as in kafka-console-consumer.sh.
        var start = request.Group is not null ? Offset.Stored : request.FromBeginning ? Offset.Beginning : Offset.End;
        return partitions.ToDictionary(tp => tp, _ => start);
    }
}
