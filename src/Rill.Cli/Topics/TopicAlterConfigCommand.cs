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
        var set = CommandOptions.KeyValues("--set", "Set a configuration, key=value (repeatable).", "-s");
        var delete = new Option<string[]>("--delete", "-d")
        {
            Description = "Remove a configuration so the broker's default applies again (repeatable).",
            HelpName = "key",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("alter-config", "Change a topic's configuration: only the named keys change (IncrementalAlterConfigs).")
        {
            name, set, delete,
        };
        command.WithExamples(
            "rill topic alter-config orders --set retention.ms=3600000",
            "rill topic alter-config orders --set cleanup.policy=compact --delete retention.bytes");
        command.Validators.Add(result =>
        {
            // Token counts, not values: a malformed --set already has its own error and no value to read.
            if (result.GetResult(set) is not { Tokens.Count: > 0 } && result.GetResult(delete) is not { Tokens.Count: > 0 })
            {
                result.AddError("give at least one --set key=value or --delete key");
            }
        });
        CommandRunner.SetAction(command, console, "IncrementalAlterConfigs", async (context, parse, cancellationToken) =>
        {
            var topic = parse.GetRequiredValue(name);
            var changes = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in parse.GetValue(set) ?? [])
            {
                changes[key] = value;
            }

            var removals = (parse.GetValue(delete) ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var entries = changes.Select(c => new ConfigEntry { Name = c.Key, Value = c.Value, IncrementalOperation = AlterConfigOpType.Set })
                .Concat(removals.Select(k => new ConfigEntry { Name = k, IncrementalOperation = AlterConfigOpType.Delete }))
                .ToList();

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
                foreach (var (key, value) in changes)
                {
                    context.Console.Out.Write($"{topic}: set {key}={value}\n");
                }

                foreach (var key in removals)
                {
                    context.Console.Out.Write($"{topic}: deleted {key} (the default applies)\n");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    internal sealed record AlterConfigOutput(string Topic, IReadOnlyDictionary<string, string> Set, IReadOnlyList<string> Deleted);
}
