using System.CommandLine;
using Confluent.Kafka.Admin;

namespace Rill.Cli.Groups;

/// <summary><c>rill group delete GROUP...</c>: only empty groups can be deleted (Kafka's rule).</summary>
internal static class GroupDeleteCommand
{
    public static Command Create(CliConsole console)
    {
        var names = new Argument<string[]>("group") { Description = "The consumer groups to delete.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("delete", "Delete consumer groups and their committed offsets. A group with active members cannot be deleted.")
        {
            names,
        };
        command.WithExamples(
            "rill group delete billing",
            "rill group delete old-1 old-2 --output json");
        command.Aliases.Add("rm");
        CommandRunner.SetAction(command, console, "DeleteGroups", async (context, parse, cancellationToken) =>
        {
            var request = parse.GetRequiredValue(names).Distinct(StringComparer.Ordinal).ToList();
            using var admin = await ClusterAdmin.ConnectAsync(context, cancellationToken);
            var failures = new Dictionary<string, string>(StringComparer.Ordinal);
            try
            {
                await admin.Client.DeleteGroupsAsync(request, new DeleteGroupsOptions { RequestTimeout = context.Timeout });
            }
            catch (DeleteGroupsException exception)
            {
                foreach (var report in exception.Results.Where(r => r.Error.IsError))
                {
                    failures[report.Group] = KafkaErrors.ForGroup(report.Group, report.Error).Message;
                }
            }

            var output = new DeleteGroupsOutput(
                [.. request.Where(g => !failures.ContainsKey(g))],
                [.. request.Where(failures.ContainsKey).Select(g => new FailedGroup(g, failures[g]))]);
            if (context.Json)
            {
                context.WriteJson(output);
            }
            else
            {
                foreach (var deleted in output.Deleted)
                {
                    context.Console.Out.Write($"deleted group '{deleted}'\n");
                }
            }

            foreach (var failed in output.Failed)
            {
                CommandRunner.WriteError(context.Console, failed.Error);
            }

            return output.Failed.Count == 0 ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    internal sealed record DeleteGroupsOutput(IReadOnlyList<string> Deleted, IReadOnlyList<FailedGroup> Failed);

    internal sealed record FailedGroup(string GroupId, string Error);
}
