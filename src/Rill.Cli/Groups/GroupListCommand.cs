using System.CommandLine;
using Confluent.Kafka.Admin;

namespace Rill.Cli.Groups;

/// <summary><c>rill group list</c>.</summary>
internal static class GroupListCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("list", "List consumer groups with their states.");
        command.WithExamples(
            "rill group list",
            "rill group list --output json | jq -r '.groups[] | select(.state == \"Empty\") | .groupId'");
        command.Aliases.Add("ls");
        CommandRunner.SetAction(command, console, "ListGroups", async (context, _, cancellationToken) =>
        {
            using var admin = await ClusterAdmin.ConnectAsync(context, cancellationToken);
            var result = await admin.Client.ListConsumerGroupsAsync(new ListConsumerGroupsOptions { RequestTimeout = context.Timeout });
            var groups = result.Valid
                .OrderBy(g => g.GroupId, StringComparer.Ordinal)
                .Select(g => new ListedGroup(g.GroupId, g.State.ToString(), GroupTypes.Name(g.Type), g.IsSimpleConsumerGroup))
                .ToList();
            if (context.Json)
            {
                context.WriteJson(new ListGroupsOutput(groups));
            }
            else
            {
                var table = context.NewTable("GROUP", "STATE", "TYPE");
                foreach (var group in groups)
                {
                    CliContext.AddRow(table, group.GroupId, group.State, group.Type);
                }

                context.Stdout.Write(table);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    internal sealed record ListGroupsOutput(IReadOnlyList<ListedGroup> Groups);

    internal sealed record ListedGroup(string GroupId, string State, string Type, bool Simple);
}
