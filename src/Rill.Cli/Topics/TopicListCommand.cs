using System.CommandLine;

namespace Rill.Cli.Topics;

/// <summary><c>rill topic list [--internal]</c>.</summary>
internal static class TopicListCommand
{
    public static Command Create(CliConsole console)
    {
        var includeInternal = new Option<bool>("--internal", "-i") { Description = "Also list internal topics (names starting with __, such as __consumer_offsets)." };
        var command = new Command("list", "List topics with their partition counts and replication factors.")
        {
            includeInternal,
        };
        command.WithExamples(
            "rill topic list",
            "rill topic list --output json | jq -r '.topics[].name'");
        command.Aliases.Add("ls");
        CommandRunner.SetAction(command, console, "Metadata", async (context, parse, cancellationToken) =>
        {
            using var admin = await ClusterAdmin.ConnectAsync(context, cancellationToken);
            var metadata = admin.Client.GetMetadata(context.Timeout);
            var topics = metadata.Topics
                .Where(t => !t.Error.IsError)
                .Select(t => new ListedTopic(
                    t.Topic,
                    t.Partitions.Count,
                    t.Partitions.Count == 0 ? 0 : t.Partitions.Max(p => p.Replicas.Length),
                    IsInternal(t.Topic)))
                .Where(t => parse.GetValue(includeInternal) || !t.Internal)
                .OrderBy(t => t.Name, StringComparer.Ordinal)
                .ToList();

            if (context.Json)
            {
                context.WriteJson(new ListTopicsOutput(topics));
            }
            else
            {
                var table = context.NewTable("TOPIC", "PARTITIONS", "REPLICATION");
                foreach (var topic in topics)
                {
                    CliContext.AddRow(table, topic.Name, CliContext.Number(topic.Partitions), CliContext.Number(topic.ReplicationFactor));
                }

                context.Stdout.Write(table);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Kafka's internal topics (__consumer_offsets, __transaction_state) start with two underscores; Metadata's is_internal is not exposed by librdkafka's metadata call.</summary>
    private static bool IsInternal(string topic) => topic.StartsWith("__", StringComparison.Ordinal);

    internal sealed record ListTopicsOutput(IReadOnlyList<ListedTopic> Topics);

    internal sealed record ListedTopic(string Name, int Partitions, int ReplicationFactor, bool Internal);
}
