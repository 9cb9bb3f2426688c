using System.CommandLine;
using System.Runtime.InteropServices;
using Rill.Cli.Cluster;
using Rill.Cli.Groups;
using Rill.Cli.Perf;
using Rill.Cli.Records;
using Rill.Cli.Topics;

namespace Rill.Cli;

/// <summary>
/// The client verbs of <c>rill</c> (<c>topic</c>, <c>produce</c>, <c>consume</c>, <c>group</c>, <c>cluster</c>) and
/// the entry point that runs a command line with Rill's exit codes: 0 ok, 1 failed, 2 usage, 3 unreachable.
/// </summary>
public static class RillCli
{
    /// <summary>
    /// Adds the client verbs to <paramref name="root"/> and runs <paramref name="args"/> on the process's console.
    /// The first SIGINT or SIGTERM cancels the command, which then finishes cleanly (a consumer commits and leaves
    /// its group); a second one ends the process at once. System.CommandLine's own handling is off because it
    /// returns from the invocation at the signal, so the process would exit before that clean finish.
    /// </summary>
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        using var interrupted = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = !interrupted.IsCancellationRequested;
            interrupted.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        return await RunAsync(root, args, CliConsole.CreateSystem(), interrupted.Token);
    }

    /// <summary>Adds the client verbs to <paramref name="root"/> and runs <paramref name="args"/> on <paramref name="console"/>.</summary>
    public static async Task<int> RunAsync(RootCommand root, string[] args, CliConsole console, CancellationToken cancellationToken)
    {
        foreach (var command in Commands(console))
        {
            root.Subcommands.Add(command);
        }

        HelpText.InstallOn(root);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                CommandRunner.WriteError(console, error.Message);
            }

            await console.Error.WriteAsync($"Run '{CommandPath(parse)} --help' for usage.\n");
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration { Output = console.Out, Error = console.Error, ProcessTerminationTimeout = null };
        try
        {
            return await parse.InvokeAsync(invocation, cancellationToken);
        }
        finally
        {
            await CommandRunner.FlushAsync(console);
        }
    }

    /// <summary>Runs the client verbs alone (tests drive commands through this without a child process).</summary>
    public static Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken) =>
        RunAsync(new RootCommand("Rill's Kafka client commands."), args, console, cancellationToken);

    private static IEnumerable<Command> Commands(CliConsole console) =>
    [
        TopicCommand.Create(console),
        ProduceCommand.Create(console),
        ConsumeCommand.Create(console),
        GroupCommand.Create(console),
        ClusterCommand.Create(console),
        PerfCommand.Create(console),
    ];

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Add(result.Command is RootCommand ? "rill" : result.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
