using System.CommandLine;

namespace Rill.Cli.Groups;

/// <summary><c>rill group list|describe|delete|reset-offsets</c>.</summary>
internal static class GroupCommand
{
    public static Command Create(CliConsole console) => new("group", "List, describe and delete consumer groups, and reset their committed offsets.")
    {
        GroupListCommand.Create(console),
        GroupDescribeCommand.Create(console),
        GroupDeleteCommand.Create(console),
        GroupResetOffsetsCommand.Create(console),
    };
}
