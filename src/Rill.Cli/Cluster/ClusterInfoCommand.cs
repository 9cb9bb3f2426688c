using System.CommandLine;
using Spectre.Console;

namespace Rill.Cli.Cluster;

/// <summary><c>rill cluster info</c>: cluster id, controller and brokers with their endpoints (DescribeCluster).</summary>
internal static class ClusterInfoCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("info", "Show the cluster id, the controller and every broker with its endpoint.");
        command.WithExamples(
            "rill cluster info",
            "rill cluster info --brokers kafka-1:9092 --output json | jq -r .clusterId");
        CommandRunner.SetAction(command, console, "DescribeCluster", async (context, _, cancellationToken) =>
        {
            using var admin = await ClusterAdmin.ConnectAsync(context, cancellationToken);
            var cluster = admin.Cluster;
            var controllerId = cluster.Controller?.Id;
            var output = new ClusterInfoOutput(
                cluster.ClusterId,
                cluster.Controller is { } c ? new BrokerInfo(c.Id, c.Host, c.Port, c.Rack, Controller: true) : null,
                [.. cluster.Nodes.OrderBy(n => n.Id).Select(n => new BrokerInfo(n.Id, n.Host, n.Port, n.Rack, n.Id == controllerId))]);
            if (context.Json)
            {
                context.WriteJson(output);
            }
            else
            {
                context.WriteField("Cluster ID", output.ClusterId);
                context.WriteField("Controller", output.Controller is { } controller ? $"{controller.Id} ({controller.Host}:{controller.Port})" : null);
                context.Stdout.WriteLine();
                var table = context.NewTable("ID", "HOST", "PORT", "RACK", "CONTROLLER");
                foreach (var broker in output.Brokers)
                {
                    CliContext.AddRow(table, CliContext.Number(broker.Id), broker.Host, CliContext.Number(broker.Port), broker.Rack, broker.Controller ? "yes" : null);
                }

                context.Stdout.Write(table);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    internal sealed record ClusterInfoOutput(string? ClusterId, BrokerInfo? Controller, IReadOnlyList<BrokerInfo> Brokers);

    internal sealed record BrokerInfo(int Id, string Host, int Port, string? Rack, bool Controller);
}
