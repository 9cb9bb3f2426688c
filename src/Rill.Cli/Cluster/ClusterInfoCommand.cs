using System.CommandLine;
using Spectre.Console;

namespace Rill.Cli.Cluster;

/// <summary>
/// <c>rill cluster info</c>: cluster id, controller and brokers with their endpoints (DescribeCluster), and the metadata
/// quorum: its leader (the active controller), epoch, high watermark and how far each voter and observer is (DescribeQuorum).
/// </summary>
internal static class ClusterInfoCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("info", "Show the cluster id, the controller, every broker with its endpoint, and the metadata quorum.");
        command.WithExamples(
            "rill cluster info",
            "rill cluster info --brokers kafka-1:9092 --output json | jq -r .clusterId");
        CommandRunner.SetAction(command, console, "DescribeCluster", async (context, _, cancellationToken) =>
        {
            using var admin = await ClusterAdmin.ConnectAsync(context, cancellationToken);
            var cluster = admin.Cluster;
            var controllerId = cluster.Controller?.Id;
            var quorum = await QuorumDescription.DescribeAsync(context, cluster.Nodes.Select(n => (n.Host, n.Port)), cancellationToken);
            var output = new ClusterInfoOutput(
                cluster.ClusterId,
                cluster.Controller is { } c ? new BrokerInfo(c.Id, c.Host, c.Port, c.Rack, Controller: true) : null,
                [.. cluster.Nodes.OrderBy(n => n.Id).Select(n => new BrokerInfo(n.Id, n.Host, n.Port, n.Rack, n.Id == controllerId))],
                quorum);
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
                WriteQuorum(context, quorum);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static void WriteQuorum(CliContext context, QuorumInfo? quorum)
    {
        context.Stdout.WriteLine();
        if (quorum is null)
        {
            context.WriteField("Metadata quorum", "not described (no broker answered DescribeQuorum)");
            return;
        }

        if (quorum.Error is { } error)
        {
            context.WriteField("Metadata quorum", error);
            return;
        }

        context.WriteField("Quorum leader", quorum.LeaderId >= 0 ? CliContext.Number(quorum.LeaderId) : "none (election in progress)");
        context.WriteField("Leader epoch", CliContext.Number(quorum.LeaderEpoch));
        context.WriteField("High watermark", CliContext.Number(quorum.HighWatermark));
        context.Stdout.WriteLine();
        var table = context.NewTable("NODE", "ROLE", "LOG END", "LAG", "LAST FETCH", "CAUGHT UP");
        foreach (var (replica, role) in quorum.Voters.Select(v => (v, v.Leader ? "leader" : "follower"))
            .Concat(quorum.Observers.Select(o => (o, "observer"))))
        {
            CliContext.AddRow(
                table,
                CliContext.Number(replica.Id),
                role,
                CliContext.Number(replica.LogEndOffset),
                CliContext.Number(replica.Lag),
                replica.LastFetchMsAgo is { } fetch ? $"{fetch} ms ago" : null,
                replica.LastCaughtUpMsAgo is { } caughtUp ? $"{caughtUp} ms ago" : null);
        }

        context.Stdout.Write(table);
    }

    internal sealed record ClusterInfoOutput(string? ClusterId, BrokerInfo? Controller, IReadOnlyList<BrokerInfo> Brokers, QuorumInfo? Quorum);

    internal sealed record BrokerInfo(int Id, string Host, int Port, string? Rack, bool Controller);
}
