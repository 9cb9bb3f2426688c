using System.CommandLine;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Rill.Cli.Topics;

namespace Rill.Cli.Groups;

/// <summary>
/// <c>rill group reset-offsets GROUP --topic T[:P,P]... | --all-topics</c> with one of <c>--to-earliest</c>,
/// <c>--to-latest</c>, <c>--to-offset N</c>, <c>--to-timestamp T</c>, <c>--by-duration D</c>; <c>--dry-run</c>
/// prints the plan. Executing needs the group to be empty, as kafka-consumer-groups.sh requires.
/// </summary>
internal static class GroupResetOffsetsCommand
{
    public static Command Create(CliConsole console)
    {
        var name = new Argument<string>("group") { Description = "The consumer group whose offsets to reset." };
        var topics = new Option<TopicSelection[]>("--topic", "-t")
        {
            Description = "A topic to reset, optionally with partitions: orders or orders:0,2 (repeatable).",
            HelpName = "topic[:partitions]",
            AllowMultipleArgumentsPerToken = false,
            CustomParser = result =>
            {
                var selections = new List<TopicSelection>();
                foreach (var token in result.Tokens)
                {
                    if (TopicSelection.TryParse(token.Value, out var selection))
                    {
                        selections.Add(selection);
                    }
                    else
                    {
                        result.AddError($"--topic: '{token.Value}' is not topic or topic:partition[,partition...]");
                    }
                }

                return [.. selections];
            },
        };
        var allTopics = new Option<bool>("--all-topics") { Description = "Reset every topic the group has committed offsets for." };
        var toEarliest = new Option<bool>("--to-earliest") { Description = "Reset to the earliest offset still in the log." };
        var toLatest = new Option<bool>("--to-latest") { Description = "Reset to the end of each partition (skip everything now in it)." };
        var toOffset = new Option<long?>("--to-offset") { Description = "Reset to this offset (clamped to what the log holds).", HelpName = "N" };
        var toTimestamp = CommandOptions.Timestamp(
            "--to-timestamp",
            "Reset to the first record at or after this time: milliseconds since the epoch or ISO 8601.");
        var byDuration = CommandOptions.Duration(
            "--by-duration",
            "Reset to the first record written at most this long ago: ISO 8601 (PT10M, P1D) or 10m, 2h.");
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan (current and new offset per partition) without changing anything." };
        var command = new Command("reset-offsets", "Move a consumer group's committed offsets. The group must have no active members (stop its consumers first); --dry-run shows the plan without changing anything.")
        {
            name, topics, allTopics, toEarliest, toLatest, toOffset, toTimestamp, byDuration, dryRun,
        };
        command.WithExamples(
            "rill group reset-offsets billing --topic orders --to-earliest --dry-run",
            "rill group reset-offsets billing --topic orders:0,1 --to-offset 1000",
            "rill group reset-offsets billing --all-topics --by-duration PT10M",
            "rill group reset-offsets billing --topic orders --to-timestamp 2025-01-31T12:00:00Z --output json");
        command.Validators.Add(result =>
        {
            var targets = new Option[] { toEarliest, toLatest, toOffset, toTimestamp, byDuration }
                .Where(o => result.GetResult(o) is { Implicit: false })
                .ToList();
            if (targets.Count != 1)
            {
                result.AddError("give exactly one of --to-earliest, --to-latest, --to-offset, --to-timestamp, --by-duration");
            }

            // Token counts, not values: a malformed --topic already has its own error and no value to read.
            var hasTopics = result.GetResult(topics) is { Tokens.Count: > 0 };
            var hasAllTopics = result.GetResult(allTopics) is { Implicit: false };
            if (hasTopics == hasAllTopics)
            {
                result.AddError("give --topic (repeatable) or --all-topics");
            }
        });
        CommandRunner.SetAction(command, console, "OffsetCommit", async (context, parse, cancellationToken) =>
        {
            var group = parse.GetRequiredValue(name);
            var target = Target(context, parse, toEarliest, toLatest, toOffset, toTimestamp, byDuration);
            var execute = !parse.GetValue(dryRun);
            using var admin = await ClusterAdmin.ConnectAsync(context, cancellationToken);
            var plan = await ProgressDisplay.RunAsync(context, $"resetting offsets of {group}", maxValue: null, async _ =>
            {
                var description = await GroupLookup.DescribeAsync(admin, group);
                if (execute && description is { } d && d.State is not (ConsumerGroupState.Empty or ConsumerGroupState.Dead))
                {
                    throw CliException.Failed($"group '{group}' is not empty (state {d.State}, {d.Members.Count} member{(d.Members.Count == 1 ? string.Empty : "s")}): stop its consumers before resetting offsets");
                }

                var committed = await GroupLookup.CommittedOffsetsAsync(admin, group);
                var partitions = await PartitionsAsync(admin, parse.GetValue(topics) ?? [], committed);
                var targets = await target(admin, partitions);
                var entries = partitions.Select(tp => new PlannedOffset(
                    tp.Topic,
                    tp.Partition.Value,
                    committed.TryGetValue(tp, out var current) ? current : null,
                    targets[tp])).ToList();
                if (execute && entries.Count > 0)
                {
                    await AlterAsync(admin, group, entries);
                }

                return entries;
            });

            var output = new ResetOffsetsOutput(group, DryRun: !execute, plan);
            if (context.Json)
            {
                context.WriteJson(output);
            }
            else
            {
                context.Console.Out.Write(execute
                    ? $"reset offsets of group '{group}' on {plan.Count} partition{(plan.Count == 1 ? string.Empty : "s")}\n"
                    : $"plan for group '{group}' (dry run: nothing changed)\n");
                var table = context.NewTable("TOPIC", "PARTITION", "CURRENT", "NEW");
                foreach (var entry in plan)
                {
                    CliContext.AddRow(table, entry.Topic, CliContext.Number(entry.Partition), CliContext.Number(entry.CurrentOffset), CliContext.Number(entry.NewOffset));
                }

                context.Stdout.Write(table);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The partitions named by --topic (all of a topic's, or the listed ones), or every partition the group committed for.</summary>
    private static async Task<List<TopicPartition>> PartitionsAsync(ClusterAdmin admin, TopicSelection[] topics, Dictionary<TopicPartition, long> committed)
    {
        if (topics.Length == 0)
        {
            return [.. committed.Keys.OrderBy(tp => tp.Topic, StringComparer.Ordinal).ThenBy(tp => tp.Partition.Value)];
        }

        var partitions = new SortedSet<(string Topic, int Partition)>();
        foreach (var (topic, listed) in topics)
        {
            var existing = await TopicLookup.PartitionsAsync(admin, topic);
            foreach (var partition in listed ?? existing)
            {
                if (!existing.Contains(partition))
                {
                    throw CliException.Failed($"topic '{topic}' has no partition {partition} (it has {existing.Count}: 0-{existing.Count - 1})");
                }

                partitions.Add((topic, partition));
            }
        }

        return [.. partitions.Select(p => new TopicPartition(p.Topic, p.Partition))];
    }

    private delegate Task<Dictionary<TopicPartition, long>> TargetOffsets(ClusterAdmin admin, List<TopicPartition> partitions);

    /// <summary>How the new offsets are found: one ListOffsets query (or two, for --to-offset's clamp).</summary>
    private static TargetOffsets Target(
        CliContext context,
        ParseResult parse,
        Option<bool> toEarliest,
        Option<bool> toLatest,
        Option<long?> toOffset,
        Option<long?> toTimestamp,
        Option<TimeSpan?> byDuration)
    {
        if (parse.GetValue(toEarliest))
        {
            return (admin, partitions) => TopicLookup.ListOffsetsAsync(admin, partitions, OffsetSpec.Earliest());
        }

        if (parse.GetValue(toLatest))
        {
            return (admin, partitions) => TopicLookup.ListOffsetsAsync(admin, partitions, OffsetSpec.Latest());
        }

        if (parse.GetValue(toOffset) is { } offset)
        {
            return async (admin, partitions) =>
            {
                var earliest = await TopicLookup.ListOffsetsAsync(admin, partitions, OffsetSpec.Earliest());
                var latest = await TopicLookup.ListOffsetsAsync(admin, partitions, OffsetSpec.Latest());
                return partitions.ToDictionary(tp => tp, tp => Math.Clamp(offset, earliest[tp], latest[tp]));
            };
        }

        var unixMs = parse.GetValue(toTimestamp)
            ?? (context.Console.TimeProvider.GetUtcNow() - parse.GetValue(byDuration)!.Value).ToUnixTimeMilliseconds();

        return async (admin, partitions) =>
        {
            var found = await TopicLookup.ListOffsetsAsync(admin, partitions, OffsetSpec.ForTimestamp(unixMs));
            var latest = await TopicLookup.ListOffsetsAsync(admin, partitions, OffsetSpec.Latest());
            // No record at or after the time: the end, as kafka-consumer-groups.sh does.
            return partitions.ToDictionary(tp => tp, tp => found[tp] >= 0 ? found[tp] : latest[tp]);
        };
    }

    private static async Task AlterAsync(ClusterAdmin admin, string group, List<PlannedOffset> entries)
    {
        var offsets = entries.Select(e => new TopicPartitionOffset(e.Topic, e.Partition, e.NewOffset)).ToList();
        try
        {
            await admin.Client.AlterConsumerGroupOffsetsAsync(
                [new ConsumerGroupTopicPartitionOffsets(group, offsets)],
                new AlterConsumerGroupOffsetsOptions { RequestTimeout = admin.RequestTimeout });
        }
        catch (AlterConsumerGroupOffsetsException exception)
        {
            var result = exception.Results.FirstOrDefault();
            var error = result?.Partitions.FirstOrDefault(p => p.Error.IsError)?.Error ?? result?.Error ?? exception.Error;
            throw KafkaErrors.ForGroup(group, error);
        }
    }

    internal sealed record ResetOffsetsOutput(string GroupId, bool DryRun, IReadOnlyList<PlannedOffset> Partitions);

    internal sealed record PlannedOffset(string Topic, int Partition, long? CurrentOffset, long NewOffset);
}
