namespace Rill.Cli.Tests;

/// <summary>Runs <c>rill</c> client commands in this process with captured stdout and stderr, as a script would see them.</summary>
internal static class Cli
{
    /// <summary>Runs <paramref name="args"/> with <c>RILL_BROKERS</c> set to <paramref name="brokers"/>.</summary>
    public static Task<CliResult> RunAsync(string brokers, params string[] args) => RunAsync(brokers, stdin: string.Empty, TestContext.Current.CancellationToken, args);

    /// <summary>Runs <paramref name="args"/> with <paramref name="stdin"/> as standard input.</summary>
    public static Task<CliResult> RunWithInputAsync(string brokers, string stdin, params string[] args) => RunAsync(brokers, stdin, TestContext.Current.CancellationToken, args);

    public static async Task<CliResult> RunAsync(string brokers, string stdin, CancellationToken cancellationToken, params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var console = new CliConsole
        {
            In = new StringReader(stdin),
            Out = TextWriter.Synchronized(stdout),
            Error = TextWriter.Synchronized(stderr),
            GetEnvironmentVariable = name => name == "RILL_BROKERS" ? brokers : null,
            TimeProvider = TimeProvider.System,
        };
        var started = TimeProvider.System.GetTimestamp();
        var exitCode = await RillCli.RunAsync(args, console, cancellationToken);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString(), TimeProvider.System.GetElapsedTime(started));
    }
}
