using System.Text.Json;

namespace Rill.Cli.Tests;

/// <summary>What one in-process run of a command printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>Stdout as the one JSON document <c>--output json</c> promises.</summary>
    public JsonElement Json()
    {
        using var document = JsonDocument.Parse(Stdout);
        return document.RootElement.Clone();
    }

    /// <summary>Stdout as JSON Lines (<c>rill consume --output json</c>).</summary>
    public List<JsonElement> JsonLines() =>
    [
        .. Lines().Select(line =>
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.Clone();
        }),
    ];

    public List<string> Lines() => [.. Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
