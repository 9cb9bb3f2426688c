using System.CommandLine;
using Confluent.Kafka.Admin;

namespace Rill.Cli.Topics;

/// <summary><c>rill topic add-partitions NAME --count N</c>: N more partitions, as rpk's add-partitions.</summary>
internal static class TopicAddPartitionsCommand
{
    public static Command Create(CliConsole console)
    {
        var name = new Argument<string>("topic") { Description = "The topic to grow." };
        var count = CommandOptions.AtLeast("--count", 1, "How many partitions to add (not the new total).", "-n");
        count.Required = true;
        var command = new Command("add-partitions", "Add partitions to a topic. Existing records stay where they are; keys written later may map to other partitions.")
        {
            name, count,
        };
        command.WithExamples(
            "rill topic add-partitions orders --count 3");
        CommandRunner.SetAction(command, console, "CreatePartitions", async (context, parse, cancellationToken) =>
        {
            var topic = parse.GetRequiredValue(name);
            var add = parse.GetValue(count)!.Value;
            using var admin = await ClusterAdmin.ConnectAsync(context, cancellationToken);
            var before = (await TopicLookup.PartitionsAsync(admin, topic)).Count;
            try
            {
                await admin.Client.CreatePartitionsAsync(
                    [new PartitionsSpecification { Topic = topic, IncreaseTo = before + add }],
                    new CreatePartitionsOptions { RequestTimeout = context.Timeout, OperationTimeout = context.Timeout });
            }
            catch (CreatePartitionsException exception)
            {
                throw KafkaErrors.ForTopic(topic, exception.Results.FirstOrDefault()?.Error ?? exception.Error);
            }

            var output = new AddPartitionsOutput(topic, before, before + add);
            if (context.Json)
            {
                context.WriteJson(output);
            }
            else
            {
                context.Console.Out.Write($"{topic}: {before} -> {before + add} partitions\n");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    internal sealed record AddPartitionsOutput(string Topic, int PreviousPartitions, int Partitions);
}
