using System.CommandLine;
using Confluent.Kafka.Admin;

namespace Rill.Cli.Topics;

/// <summary><c>rill topic create NAME... [--partitions N] [--replication-factor N] [--config k=v]... [--if-not-exists]</c>.</summary>
internal static class TopicCreateCommand
{
    public static Command Create(CliConsole console)
    {
        var names = new Argument<string[]>("topic") { Description = "Names of the topics to create.", Arity = ArgumentArity.OneOrMore };
        var partitions = CommandOptions.AtLeast("--partitions", 1, "Number of partitions (default: the broker's num.partitions).", "-p");
        var replicationFactor = CommandOptions.AtLeast("--replication-factor", 1, "Replicas of each partition (default: the broker's default.replication.factor).", "-r");
        var configs = CommandOptions.KeyValues("--config", "A topic configuration, key=value (repeatable): --config retention.ms=86400000.", "-c");
        var ifNotExists = new Option<bool>("--if-not-exists") { Description = "Succeed when the topic already exists." };
        var command = new Command("create", "Create topics.")
        {
            names, partitions, replicationFactor, configs, ifNotExists,
        };
        command.WithExamples(
            "rill topic create orders --partitions 3",
            "rill topic create events -p 6 -r 3 --config retention.ms=86400000 --config cleanup.policy=compact",
            "rill topic create orders --if-not-exists --output json");
        CommandRunner.SetAction(command, console, "CreateTopics", async (context, parse, cancellationToken) =>
        {
            var topicConfigs = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in parse.GetValue(configs) ?? [])
            {
                topicConfigs[key] = value;
            }

            var request = parse.GetRequiredValue(names).Distinct(StringComparer.Ordinal).ToList();
            using var admin = await ClusterAdmin.ConnectAsync(context, cancellationToken);
            var specifications = request.Select(name => new TopicSpecification
            {
                Name = name,
                NumPartitions = parse.GetValue(partitions) ?? -1,
                ReplicationFactor = (short)(parse.GetValue(replicationFactor) ?? -1),
                Configs = topicConfigs.Count == 0 ? null : new Dictionary<string, string>(topicConfigs, StringComparer.Ordinal),
            }).ToList();

            var existing = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                await admin.Client.CreateTopicsAsync(specifications, new CreateTopicsOptions
                {
                    RequestTimeout = context.Timeout,
                    OperationTimeout = context.Timeout,
                });
            }
            catch (CreateTopicsException exception)
            {
                foreach (var report in exception.Results.Where(r => r.Error.IsError))
                {
                    if (report.Error.Code == Confluent.Kafka.ErrorCode.TopicAlreadyExists && parse.GetValue(ifNotExists))
                    {
                        existing.Add(report.Topic);
                        continue;
                    }

                    throw KafkaErrors.ForTopic(report.Topic, report.Error);
                }
            }

            var created = new List<CreatedTopic>();
            foreach (var name in request)
            {
                var description = await TopicLookup.DescribeAsync(admin, name);
                created.Add(new CreatedTopic(
                    name,
                    description.Partitions.Count,
                    description.Partitions.Count == 0 ? 0 : description.Partitions[0].Replicas.Count,
                    Created: !existing.Contains(name)));
            }

            if (context.Json)
            {
                context.WriteJson(new CreateTopicsOutput(created));
            }
            else
            {
                var table = context.NewTable("TOPIC", "PARTITIONS", "REPLICATION", "STATUS");
                foreach (var topic in created)
                {
                    CliContext.AddRow(table, topic.Name, CliContext.Number(topic.Partitions), CliContext.Number(topic.ReplicationFactor), topic.Created ? "created" : "exists");
                }

                context.Stdout.Write(table);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    internal sealed record CreateTopicsOutput(IReadOnlyList<CreatedTopic> Topics);

    internal sealed record CreatedTopic(string Name, int Partitions, int ReplicationFactor, bool Created);
}
