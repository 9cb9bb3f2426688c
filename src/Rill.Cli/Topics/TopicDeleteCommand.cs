using System.CommandLine;
using Confluent.Kafka.Admin;

namespace Rill.Cli.Topics;

/// <summary><c>rill topic delete NAME...</c>.</summary>
internal static class TopicDeleteCommand
{
    public static Command Create(CliConsole console)
    {
        var names = new Argument<string[]>("topic") { Description = "Names of the topics to delete.", Arity = ArgumentArity.OneOrMore };
        var ifExists = new Option<bool>("--if-exists") { Description = "Succeed when a topic does not exist." };
        var command = new Command("delete", "Delete topics and all their records.")
        {
            names, ifExists,
        };
        command.WithExamples(
            "rill topic delete orders",
            "rill topic delete old-1 old-2 --if-exists");
        command.Aliases.Add("rm");
        CommandRunner.SetAction(command, console, "DeleteTopics", async (context, parse, cancellationToken) =>
        {
            var request = parse.GetRequiredValue(names).Distinct(StringComparer.Ordinal).ToList();
            using var admin = await ClusterAdmin.ConnectAsync(context, cancellationToken);
            var results = request.ToDictionary(n => n, _ => (Confluent.Kafka.Error?)null, StringComparer.Ordinal);
            try
            {
                await admin.Client.DeleteTopicsAsync(request, new DeleteTopicsOptions { RequestTimeout = context.Timeout, OperationTimeout = context.Timeout });
            }
            catch (DeleteTopicsException exception)
            {
                foreach (var report in exception.Results.Where(r => r.Error.IsError))
                {
                    var missingButAllowed = report.Error.Code == Confluent.Kafka.ErrorCode.UnknownTopicOrPart && parse.GetValue(ifExists);
                    results[report.Topic] = missingButAllowed ? null : report.Error;
                }
            }

            var output = new DeleteTopicsOutput(
                [.. request.Where(n => results[n] is null)],
                [.. request.Where(n => results[n] is not null).Select(n => new FailedTopic(n, KafkaErrors.ForTopic(n, results[n]!).Message))]);
            if (context.Json)
            {
                context.WriteJson(output);
            }
            else
            {
                foreach (var deleted in output.Deleted)
                {
                    context.Console.Out.Write($"deleted topic '{deleted}'\n");
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

    internal sealed record DeleteTopicsOutput(IReadOnlyList<string> Deleted, IReadOnlyList<FailedTopic> Failed);

    internal sealed record FailedTopic(string Topic, string Error);
}
