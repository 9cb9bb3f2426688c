using Rill.TestKit;

namespace Rill.IntegrationTests;

/// <summary><c>rill serve</c> as an operator runs it: bad settings stop it with the key named; SIGTERM stops it cleanly.</summary>
public sealed class ServeCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task UnknownKey_StopsTheStart_NamingTheKey()
    {
        using var data = new TempDirectory();
        var run = await RunServeAsync(data.Path, "log.segmnet.bytes=1048576");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("log.segmnet.bytes", run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedValue_StopsTheStart_NamingTheKeyAndValue()
    {
        using var data = new TempDirectory();
        var run = await RunServeAsync(data.Path, "num.partitions=three");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("num.partitions", run.StandardError, StringComparison.Ordinal);
        Assert.Contains("three", run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_StopsCleanly_AndLeavesTheCleanShutdownMarker()
    {
        using var data = new TempDirectory();
        var broker = await RillProcess.StartAsync(data.Path, RillProcess.FreePort());
        await using (broker)
        {
            Assert.Equal(0, await broker.StopAsync());
        }

        Assert.True(File.Exists(Path.Combine(data.Path, ".kafka_cleanshutdown")));
        Assert.True(File.Exists(Path.Combine(data.Path, "meta.properties")));
    }

    private static Task<ExternalTool.Result> RunServeAsync(string dataDirectory, string setting) =>
        ExternalTool.RunAsync(
            "dotnet",
            [Path.Combine(AppContext.BaseDirectory, "rill.dll"), "serve", "--override", $"log.dirs={dataDirectory}", "--override", "listeners=PLAINTEXT://127.0.0.1:0", "--override", setting],
            null,
            Timeout);
}
