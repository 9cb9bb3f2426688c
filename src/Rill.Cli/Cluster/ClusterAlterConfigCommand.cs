using System.CommandLine;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Rill.Cli.Cluster;

/// <summary>
/// <c>rill cluster alter-config [--broker ID] --set k=v... --delete k...</c>: a broker's dynamic configs through
/// IncrementalAlterConfigs, as <c>kafka-configs.sh --entity-type brokers --entity-name ID</c>.
/// </summary>
internal static class ClusterAlterConfigCommand
{
    public static Command Create(CliConsole console)
    {
        var broker = BrokerSelection.Option();
        var set = CommandOptions.KeyValues("--set", "Set a dynamic config on the broker, key=value (repeatable).", "-s");
        var delete = new Option<string[]>("--delete", "-d")
        {
            Description = "Remove the broker's dynamic value so the static or default one applies again (repeatable).",
            HelpName = "key",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("alter-config", "Change a broker's dynamic configs while it runs: only the named keys change (IncrementalAlterConfigs).")
        {
            broker, set, delete,
        };
        command.WithExamples(
            "rill cluster alter-config --set log.retention.ms=3600000",
            "rill cluster alter-config --broker 2 --set message.max.bytes=2097152 --delete log.segment.bytes");
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
            var brokerId = BrokerSelection.Resolve(admin, parse.GetValue(broker));
            try
            {
                await admin.Client.IncrementalAlterConfigsAsync(
                    new Dictionary<ConfigResource, List<ConfigEntry>> { [BrokerSelection.Resource(brokerId)] = entries },
                    new IncrementalAlterConfigsOptions { RequestTimeout = context.Timeout });
            }
            catch (IncrementalAlterConfigsException exception)
            {
                // Not KafkaErrors.IsUnsupported: INVALID_REQUEST is how Kafka refuses a key that cannot change at run time.
                var error = exception.Results.FirstOrDefault()?.Error ?? exception.Error;
                if (error.Code is ErrorCode.UnsupportedVersion or ErrorCode.Local_UnsupportedFeature)
                {
                    throw CliException.Failed($"the cluster does not support IncrementalAlterConfigs ({KafkaErrors.Reason(error)})");
                }

                throw CliException.Failed($"broker {brokerId}: {KafkaErrors.Reason(error)}");
            }

            var output = new AlterBrokerConfigOutput(brokerId, changes, removals);
            if (context.Json)
            {
                context.WriteJson(output);
            }
            else
            {
                foreach (var (key, value) in changes)
                {
                    context.Console.Out.Write($"broker {brokerId}: set {key}={value}\n");
                }

                foreach (var key in removals)
                {
                    context.Console.Out.Write($"broker {brokerId}: deleted {key} (the static or default value applies)\n");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    internal sealed record AlterBrokerConfigOutput(int Broker, IReadOnlyDictionary<string, string> Set, IReadOnlyList<string> Deleted);
}
