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
        var options = ConfigChangeOptions.Create(
            "Set a dynamic config on the broker, key=value (repeatable).",
            "Remove the broker's dynamic value so the static or default one applies again (repeatable).");
        var command = new Command("alter-config", "Change a broker's dynamic configs while it runs: only the named keys change (IncrementalAlterConfigs).")
        {
            broker,
        };
        options.AddTo(command);
        command.WithExamples(
            "rill cluster alter-config --set log.retention.ms=3600000",
            "rill cluster alter-config --broker 2 --set message.max.bytes=2097152 --delete log.segment.bytes");
        CommandRunner.SetAction(command, console, "IncrementalAlterConfigs", async (context, parse, cancellationToken) =>
        {
            var (changes, removals, entries) = options.Read(parse);

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
                ConfigChangeOptions.PrintChanges(context, $"broker {brokerId}", changes, removals, "the static or default value");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    internal sealed record AlterBrokerConfigOutput(int Broker, IReadOnlyDictionary<string, string> Set, IReadOnlyList<string> Deleted);
}
