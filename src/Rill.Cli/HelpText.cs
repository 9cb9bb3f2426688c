namespace Rill.Cli;

/// <summary>Command descriptions with an examples section (System.CommandLine's help has none of its own).</summary>
internal static class HelpText
{
    public static string With(string summary, params string[] examples) =>
        examples.Length == 0 ? summary : summary + "\n\nExamples:\n  " + string.Join("\n  ", examples);
}
