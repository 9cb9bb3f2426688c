using System.CommandLine;

namespace Rill.Cli.Topics;

/// <summary><c>rill topic create|list|describe|delete|alter-config|add-partitions</c>.</summary>
internal static class TopicCommand
{
    public static Command Create(CliConsole console) => new("topic", "Create, list, describe, change and delete topics.")
    {
        TopicCreateCommand.Create(console),
        TopicListCommand.Create(console),
        TopicDescribeCommand.Create(console),
        TopicDeleteCommand.Create(console),
        TopicAlterConfigCommand.Create(console),
        TopicAddPartitionsCommand.Create(console),
    };
}
