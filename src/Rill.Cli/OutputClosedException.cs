namespace Rill.Cli;

/// <summary>Standard output was closed by its reader; the command stops quietly, as a Unix filter does.</summary>
internal sealed class OutputClosedException : IOException
{
    public OutputClosedException(IOException inner)
        : base("standard output was closed", inner)
    {
    }
}
