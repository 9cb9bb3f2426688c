using System.CommandLine;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Rill.Cli.Topics;

/// <summary><c>rill topic alter-config NAME --set k=v... --delete k...</c> through IncrementalAlterConfigs.</summary>
internal static class TopicAlterConfigCommand
{
    public static Command Create(CliConsole console)
    {
        var name = new Argument<string>("topic") { Description = "The topic to change." };
        var options = ConfigChangeOptions.Create(
            "Set a configuration, key=value (repeatable).",
            "Remove a configuration so the broker's default applies again (repeatable).");
        var command = new Command("alter-config", "Change a topic's configuration: only the named keys change (IncrementalAlterConfigs).")
        {
            name,
        };
        options.AddTo(command);
        command.WithExamples(
            "rill topic alter-config orders --set retention.ms=3600000",
            "rill topic alter-config orders --set cleanup.policy=compact --delete retention.bytes");
        CommandRunner.SetAction(command, console, "IncrementalAlterConfigs", async (context, parse, cancellationToken) =>
        {
            var topic = parse.GetRequiredValue(name);
            var (changes, removals, entries) = options.Read(parse);

            using var admin = await ClusterAdmin.ConnectAsync(context, cancellationToken);
            var resource = new ConfigResource { Type = ResourceType.Topic, Name = topic };
            try
            {
                await admin.Client.IncrementalAlterConfigsAsync(
                    new Dictionary<ConfigResource, List<ConfigEntry>> { [resource] = entries },
                    new IncrementalAlterConfigsOptions { RequestTimeout = context.Timeout });
            }
            catch (IncrementalAlterConfigsException exception)
            {
                var error = exception.Results.FirstOrDefault()?.Error ?? exception.Error;
                if (KafkaErrors.IsUnsupported(error.Code))
                {
                    throw CliException.Failed($"the cluster does not support IncrementalAlterConfigs ({KafkaErrors.Reason(error)})");
                }

                throw KafkaErrors.ForTopic(topic, error);
            }

            var output = new AlterConfigOutput(topic, changes, removals);
            if (context.Json)
            {
                context.WriteJson(output);
            }
            else
            {
                ConfigChangeOptions.PrintChanges(context, topic, changes, removals, "the default");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    internal sealed record AlterConfigOutput(string Topic, IReadOnlyDictionary<string, string> Set, IReadOnlyList<string> Deleted);
}
