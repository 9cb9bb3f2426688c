using Rill.TestKit;

namespace Rill.Cli.Tests;

/// <summary><c>rill consume ... | head -1</c>: when the reader goes away the consumer stops instead of running forever.</summary>
public sealed class ClosedOutputTests : IAsyncLifetime
{
    private RillTestNode _node = null!;

    public async ValueTask InitializeAsync() => _node = await RillTestNode.StartAsync();

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public void StandardOutputWriter_FirstFailedWrite_ThrowsOnce_ThenDropsEverything()
    {
        var stream = new ClosedPipeStream();
        using var writer = new StandardOutputWriter(stream);
        writer.Write("line\n");
        Assert.Throws<OutputClosedException>(writer.Flush);
        Assert.True(writer.Closed);

        writer.Write("more\n");
        writer.Flush();
        Assert.Equal(1, stream.Writes);
    }

    [Fact]
    public async Task Consume_WithoutAnEnd_StopsAndExits0_WhenStdoutIsClosed()
    {
        Assert.Equal(0, (await Cli.RunAsync(_node.BootstrapServers, "topic", "create", "piped", "--partitions", "1")).ExitCode);
        Assert.Equal(0, (await Cli.RunWithInputAsync(_node.BootstrapServers, "a\nb\nc\n", "produce", "piped")).ExitCode);

        var stderr = new StringWriter();
        var console = new CliConsole
        {
            In = TextReader.Null,
            Out = new StandardOutputWriter(new ClosedPipeStream()),
            Error = stderr,
            GetEnvironmentVariable = name => name == "RILL_BROKERS" ? _node.BootstrapServers : null,
            TimeProvider = TimeProvider.System,
        };

        var exitCode = await RillCli.RunAsync(["consume", "piped", "--from-beginning", "--group", "piped-readers"], console, TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal(0, exitCode);
        Assert.Empty(stderr.ToString());
    }
}
