using System.Diagnostics;

namespace Rill.TestKit;

/// <summary>
/// Runs a command-line client (kcat, /usr/bin/python3) to completion. When the tool is missing the test is
/// skipped with the reason, unless RILL_REQUIRE_CLIENT_TOOLS=1 (set by .ci/run), where it fails.
/// </summary>
public static class ExternalTool
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    public static void Require(string path, string? pythonModule = null)
    {
        var present = File.Exists(path) || (!path.Contains('/', StringComparison.Ordinal) && FindOnPath(path) is not null);
        if (present && pythonModule is not null)
        {
            present = RunAsync(path, ["-c", $"import {pythonModule}"], null, TimeSpan.FromSeconds(30)).GetAwaiter().GetResult().ExitCode == 0;
        }

        if (present)
        {
            return;
        }

        var what = pythonModule is null ? path : $"{path} with module {pythonModule}";
        if (Environment.GetEnvironmentVariable("RILL_REQUIRE_CLIENT_TOOLS") == "1")
        {
            throw new InvalidOperationException($"{what} is required (RILL_REQUIRE_CLIENT_TOOLS=1) but is not installed.");
        }

        Xunit.Assert.Skip($"{what} is not installed; .ci/run installs it.");
    }

    public static async Task<Result> RunAsync(string fileName, IEnumerable<string> arguments, string? standardInput, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
        }

        process.StandardInput.Close();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} ran past {timeout.TotalSeconds} s. stderr: {await error}");
        }

        return new Result(process.ExitCode, await output, await error);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
