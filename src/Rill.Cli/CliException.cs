namespace Rill.Cli;

/// <summary>A failure the user should read as one line on stderr, with the exit code it maps to.</summary>
internal sealed class CliException : Exception
{
    public CliException(int exitCode, string message)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; }

    public static CliException Failed(string message) => new(ExitCodes.Failed, message);

    public static CliException Usage(string message) => new(ExitCodes.Usage, message);
}
