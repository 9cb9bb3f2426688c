using Microsoft.Win32.SafeHandles;

namespace Rill.Cli;

/// <summary>
/// Where a command reads and writes, so tests can run commands in process and read what they printed. The
/// terminal flags decide colours, borders and progress: nothing decorative goes to a pipe or a file.
/// </summary>
public sealed class CliConsole
{
    public required TextReader In { get; init; }

    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>True when standard output is a terminal (tables get borders and colours).</summary>
    public bool IsOutputTerminal { get; init; }

    /// <summary>True when standard error is a terminal (long operations show progress there).</summary>
    public bool IsErrorTerminal { get; init; }

    /// <summary>The terminal's width in columns, or null when output goes to a pipe or file.</summary>
    public int? TerminalWidth { get; init; }

    /// <summary>Reads an environment variable (<c>RILL_BROKERS</c>).</summary>
    public required Func<string, string?> GetEnvironmentVariable { get; init; }

    public required TimeProvider TimeProvider { get; init; }

    /// <summary>
    /// The process's own console. Standard output is buffered (a consumer may print millions of lines) and flushed
    /// by the commands; a reader that goes away ends the command quietly.
    /// </summary>
    public static CliConsole CreateSystem()
    {
        var output = new StandardOutputWriter(OpenStandardOutput());
        return new CliConsole
        {
            In = Console.In,
            Out = output,
            Error = Console.Error,
            IsOutputTerminal = !Console.IsOutputRedirected,
            IsErrorTerminal = !Console.IsErrorRedirected,
            TerminalWidth = TryGetWindowWidth(),
            GetEnvironmentVariable = Environment.GetEnvironmentVariable,
            TimeProvider = TimeProvider.System,
        };
    }

    /// <summary>
    /// A pipe or terminal is opened as a plain stream over descriptor 1, which reports a closed pipe (EPIPE) where
    /// Console.OpenStandardOutput() ignores it. A regular file keeps the console stream: a FileStream would write
    /// at its own position instead of where the shell's redirection left the file.
    /// </summary>
    private static Stream OpenStandardOutput()
    {
        if (OperatingSystem.IsWindows())
        {
            return Console.OpenStandardOutput();
        }

        var stream = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
        if (!stream.CanSeek)
        {
            return stream;
        }

        stream.Dispose();
        return Console.OpenStandardOutput();
    }

    private static int? TryGetWindowWidth()
    {
        try
        {
            // A terminal without a size (under `script`, some CI runners) reports 0: treat it as unknown.
            return Console.IsOutputRedirected && Console.IsErrorRedirected || Console.WindowWidth <= 0 ? null : Console.WindowWidth;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
