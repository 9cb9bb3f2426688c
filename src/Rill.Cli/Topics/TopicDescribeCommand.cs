using System.CommandLine;
using Spectre.Console;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Rill.Cli.Topics;

/// <summary><c>rill topic describe NAME</c>: partitions, leaders, replicas, ISR, offsets and configs with their sources.</summary>
internal static class TopicDescribeCommand
{
    public static Command Create(CliConsole console)
    {
        var name = new Argument<string>("topic") { Description = "The topic to describe." };
        var command = new Command("describe", "Describe a topic: partitions with leader, replicas, ISR and offsets; configs with their sources.")
        {
            name,
        };
        command.WithExamples(
            "rill topic describe orders",
            "rill topic describe orders --output json | jq '.partitions[] | .latestOffset'");
        CommandRunner.SetAction(command, console, "DescribeTopics", async (context, parse, cancellationToken) =>
        {
            var topic = parse.GetRequiredValue(name);
            using var admin = await ClusterAdmin.ConnectAsync(context, cancellationToken);
            var description = await TopicLookup.DescribeAsync(admin, topic);
            var partitions = description.Partitions.Select(p => new TopicPartition(topic, p.Partition)).ToList();
            var earliest = await TopicLookup.ListOffsetsAsync(admin, partitions, OffsetSpec.Earliest());
            var latest = await TopicLookup.ListOffsetsAsync(admin, partitions, OffsetSpec.Latest());
            var configs = await DescribeConfigsAsync(admin, topic);

            var output = new DescribeTopicOutput(
                topic,
                description.TopicId?.ToString(),
                description.IsInternal,
                description.Partitions.Count,
                description.Partitions.Count == 0 ? 0 : description.Partitions.Max(p => p.Replicas.Count),
                [.. description.Partitions.OrderBy(p => p.Partition).Select(p => new PartitionDescription(
                    p.Partition,
                    p.Leader?.Id,
                    [.. p.Replicas.Select(r => r.Id)],
                    [.. p.ISR.Select(r => r.Id)],
                    earliest[new TopicPartition(topic, p.Partition)],
                    latest[new TopicPartition(topic, p.Partition)]))],
                configs);

            if (context.Json)
            {
                context.WriteJson(output);
            }
            else
            {
                Print(context, output);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<List<TopicConfig>> DescribeConfigsAsync(ClusterAdmin admin, string topic)
    {
        try
        {
            var results = await admin.Client.DescribeConfigsAsync(
                [new ConfigResource { Type = ResourceType.Topic, Name = topic }],
                new DescribeConfigsOptions { RequestTimeout = admin.RequestTimeout });
            return [.. results[0].Entries.Values
                .OrderBy(e => e.Name, StringComparer.Ordinal)
                .Select(e => new TopicConfig(e.Name, e.IsSensitive ? null : e.Value, ConfigSources.Name(e.Source), e.IsDefault, e.IsReadOnly, e.IsSensitive))];
        }
        catch (DescribeConfigsException exception)
        {
            throw KafkaErrors.ForTopic(topic, exception.Results.FirstOrDefault()?.Error ?? exception.Error);
        }
    }

    private static void Print(CliContext context, DescribeTopicOutput output)
    {
        context.WriteField("Topic", output.Name);
        context.WriteField("Topic ID", output.TopicId);
        context.WriteField("Partitions", CliContext.Number(output.PartitionCount));
        context.WriteField("Replication factor", CliContext.Number(output.ReplicationFactor));
        if (output.Internal)
        {
            context.WriteField("Internal", "yes");
        }

        context.Stdout.WriteLine();
        var partitions = context.NewTable("PARTITION", "LEADER", "REPLICAS", "ISR", "EARLIEST", "LATEST");
        foreach (var partition in output.Partitions)
        {
            CliContext.AddRow(
                partitions,
                CliContext.Number(partition.Partition),
                CliContext.Number(partition.Leader),
                string.Join(',', partition.Replicas),
                string.Join(',', partition.Isr),
                CliContext.Number(partition.EarliestOffset),
                CliContext.Number(partition.LatestOffset));
        }

        context.Stdout.Write(partitions);
        context.Stdout.WriteLine();
        var configs = context.NewTable("CONFIG", "VALUE", "SOURCE");
        foreach (var config in output.Configs)
        {
            CliContext.AddRow(configs, config.Name, config.Sensitive ? "(sensitive)" : config.Value, config.Source);
        }

        context.Stdout.Write(configs);
    }

    internal sealed record DescribeTopicOutput(
        string Name,
        string? TopicId,
        bool Internal,
        int PartitionCount,
        int ReplicationFactor,
        IReadOnlyList<PartitionDescription> Partitions,
        IReadOnlyList<TopicConfig> Configs);

    internal sealed record PartitionDescription(int Partition, int? Leader, IReadOnlyList<int> Replicas, IReadOnlyList<int> Isr, long EarliestOffset, long LatestOffset);

    internal sealed record TopicConfig(string Name, string? Value, string Source, bool Default, bool ReadOnly, bool Sensitive);
}
