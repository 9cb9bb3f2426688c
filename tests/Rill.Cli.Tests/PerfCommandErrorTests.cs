using System.Net;
using System.Net.Sockets;
using Rill.TestKit;

namespace Rill.Cli.Tests;

/// <summary>The failures of <c>rill perf</c>: exit 1 with one line for a missing topic, 2 for usage, 3 when unreachable.</summary>
public sealed class PerfCommandErrorTests : IAsyncLifetime
{
    private RillTestNode _node = null!;

    public async ValueTask InitializeAsync() => _node = await RillTestNode.StartAsync();

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Theory]
    [InlineData("confluent")]
    [InlineData("native")]
    public async Task Produce_ToAnUnknownTopic_WithoutCreate_Exits1_WithOneLine(string driver)
    {
        var run = await Cli.RunAsync(_node.BootstrapServers, "perf", "produce", "nope", "--driver", driver, "--records", "10");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("rill: topic 'nope' does not exist (--create-partitions N creates it)\n", run.Stderr);
        Assert.Empty(run.Stdout);
    }

    [Theory]
    [InlineData("consume", "confluent")]
    [InlineData("consume", "native")]
    public async Task Consume_AnUnknownTopic_Exits1_WithOneLine(string verb, string driver)
    {
        var run = await Cli.RunAsync(_node.BootstrapServers, "perf", verb, "nope", "--driver", driver);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("rill: topic 'nope' does not exist\n", run.Stderr);
    }

    [Fact]
    public async Task Consume_MoreRecordsThanThereAre_Exits1_AfterTheIdleTimeout_WithTheReport()
    {
        var produce = await Cli.RunAsync(_node.BootstrapServers, "perf", "produce", "short", "--records", "100", "--create-partitions", "1", "--driver", "native");
        Assert.True(produce.ExitCode == 0, produce.ToString());

        var run = await Cli.RunAsync(_node.BootstrapServers, "perf", "consume", "short", "--driver", "native", "--records", "200", "--idle-timeout", "1s", "--output", "json");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("rill: no record arrived for 1 s (read 100 of 200 records)\n", run.Stderr);
        Assert.Equal(100, run.Json().GetProperty("records").GetInt64());
    }

    [Theory]
    [InlineData("produce", "confluent")]
    [InlineData("produce", "native")]
    [InlineData("consume", "native")]
    [InlineData("e2e", null)]
    public async Task RefusedConnection_Exits3(string verb, string? driver)
    {
        var address = $"127.0.0.1:{ClosedPort()}";
        string[] args = driver is null ? ["perf", verb, "t"] : ["perf", verb, "t", "--driver", driver];
        var run = await Cli.RunAsync(address, args);
        Assert.Equal(3, run.ExitCode);
        Assert.Equal($"rill: cannot reach {address} (connection refused)\n", run.Stderr);
        Assert.Empty(run.Stdout);
    }

    [Theory]
    [InlineData("perf")]
    [InlineData("perf", "produce")]
    [InlineData("perf", "produce", "t", "--record-size", "0")]
    [InlineData("perf", "produce", "t", "--records", "0")]
    [InlineData("perf", "produce", "t", "--records", "many")]
    [InlineData("perf", "produce", "t", "--batch-size", "big")]
    [InlineData("perf", "produce", "t", "--records", "5", "--duration", "1s")]
    [InlineData("perf", "produce", "t", "--duration", "soon")]
    [InlineData("perf", "produce", "t", "--throughput", "0")]
    [InlineData("perf", "produce", "t", "--acks", "2")]
    [InlineData("perf", "produce", "t", "--driver", "java")]
    [InlineData("perf", "produce", "t", "--compression", "brotli")]
    [InlineData("perf", "produce", "t", "--keys", "hashed")]
    [InlineData("perf", "produce", "t", "--connections", "2")]
    [InlineData("perf", "produce", "t", "--driver", "native", "--producers", "2")]
    [InlineData("perf", "produce", "t", "--driver", "native", "--linger-ms", "1")]
    [InlineData("perf", "produce", "t", "--driver", "native", "--report-every", "8")]
    [InlineData("perf", "produce", "t", "--report-every", "0")]
    [InlineData("perf", "produce", "t", "--create-partitions", "0")]
    [InlineData("perf", "consume", "t", "--driver", "native", "--group", "g")]
    [InlineData("perf", "consume", "t", "--in-flight", "4")]
    [InlineData("perf", "consume", "t", "--idle-timeout", "never")]
    [InlineData("perf", "consume", "t", "--fetch-max-bytes", "10")]
    [InlineData("perf", "e2e", "t", "--record-size", "8")]
    [InlineData("perf", "e2e", "t", "--driver", "native")]
    public async Task BadArguments_Exit2(params string[] args)
    {
        var run = await Cli.RunAsync(_node.BootstrapServers, args);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("rill: ", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }

    [Theory]
    [InlineData("produce")]
    [InlineData("consume")]
    [InlineData("e2e")]
    public async Task Help_ShowsExamples(string verb)
    {
        var run = await Cli.RunAsync(_node.BootstrapServers, "perf", verb, "--help");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Examples:", run.Stdout, StringComparison.Ordinal);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
