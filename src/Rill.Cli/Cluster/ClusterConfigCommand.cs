using System.CommandLine;
using Confluent.Kafka.Admin;
using Rill.Cli.Topics;

namespace Rill.Cli.Cluster;

/// <summary><c>rill cluster config [--broker ID] [--all]</c>: a broker's configuration with sources (DescribeConfigs).</summary>
internal static class ClusterConfigCommand
{
    public static Command Create(CliConsole console)
    {
        var broker = BrokerSelection.Option();
        var all = new Option<bool>("--all") { Description = "List every key, defaults included (default: only keys set at start or at run time)." };
        var command = new Command("config", "Show a broker's configuration: each key's value, where it comes from and whether it can change at run time.")
        {
            broker, all,
        };
        command.WithExamples(
            "rill cluster config",
            "rill cluster config --broker 2 --all --output json | jq '.configs[] | select(.dynamic)'");
        CommandRunner.SetAction(command, console, "DescribeConfigs", async (context, parse, cancellationToken) =>
        {
            using var admin = await ClusterAdmin.ConnectAsync(context, cancellationToken);
            var brokerId = BrokerSelection.Resolve(admin, parse.GetValue(broker));
            List<DescribeConfigsResult> results;
            try
            {
                results = await admin.Client.DescribeConfigsAsync(
                    [BrokerSelection.Resource(brokerId)],
                    new DescribeConfigsOptions { RequestTimeout = admin.RequestTimeout });
            }
            catch (DescribeConfigsException exception)
            {
                var error = exception.Results.FirstOrDefault()?.Error ?? exception.Error;
                throw CliException.Failed($"broker {brokerId}: {KafkaErrors.Reason(error)}");
            }

            var showAll = parse.GetValue(all);
            var output = new BrokerConfigOutput(
                brokerId,
                [.. results[0].Entries.Values
                    .Where(entry => showAll || entry.Source != ConfigSource.DefaultConfig)
                    .OrderBy(entry => entry.Name, StringComparer.Ordinal)
                    .Select(entry => new BrokerConfig(
                        entry.Name,
                        entry.IsSensitive ? null : entry.Value,
                        ConfigSources.Name(entry.Source),
                        Dynamic: !entry.IsReadOnly,
                        entry.IsSensitive))]);
            if (context.Json)
            {
                context.WriteJson(output);
            }
            else
            {
                var table = context.NewTable("CONFIG", "VALUE", "SOURCE", "DYNAMIC");
                foreach (var config in output.Configs)
                {
                    CliContext.AddRow(table, config.Name, config.Sensitive ? "(sensitive)" : config.Value, config.Source, config.Dynamic ? "yes" : null);
                }

                context.Stdout.Write(table);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    internal sealed record BrokerConfigOutput(int Broker, IReadOnlyList<BrokerConfig> Configs);

    internal sealed record BrokerConfig(string Name, string? Value, string Source, bool Dynamic, bool Sensitive);
}
