namespace Rill.Cli;

/// <summary>The exit codes scripts can rely on (docs/cli.md lists them).</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>The cluster refused or could not do it: the topic exists, is unknown, the group is not empty...</summary>
    public const int Failed = 1;

    /// <summary>The command line was wrong: unknown option, missing argument, malformed value.</summary>
    public const int Usage = 2;

    /// <summary>No broker answered within the timeout.</summary>
    public const int Unreachable = 3;
}
