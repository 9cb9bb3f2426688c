using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Rill.TestKit;

namespace Rill.Cli.Tests;

/// <summary><c>rill cluster info</c>, and the failures scripts rely on: exit 1 with one line, 2 for usage, 3 fast when unreachable.</summary>
public sealed class ClusterAndErrorTests : IAsyncLifetime
{
    private RillTestNode _node = null!;

    public async ValueTask InitializeAsync() => _node = await RillTestNode.StartAsync();

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task ClusterInfo_ShowsClusterIdControllerAndTheBrokerEndpoint()
    {
        var info = await Cli.RunAsync(_node.BootstrapServers, "cluster", "info", "--output", "json");
        Assert.True(info.ExitCode == 0, info.ToString());
        var cluster = info.Json();
        Assert.Equal(22, cluster.GetProperty("clusterId").GetString()!.Length);
        Assert.Equal(1, cluster.GetProperty("controller").GetProperty("id").GetInt32());
        var broker = Assert.Single(cluster.GetProperty("brokers").EnumerateArray());
        Assert.Equal(1, broker.GetProperty("id").GetInt32());
        Assert.Equal("127.0.0.1", broker.GetProperty("host").GetString());
        Assert.Equal(_node.Port, broker.GetProperty("port").GetInt32());
        Assert.True(broker.GetProperty("controller").GetBoolean());

        // The node is the quorum's only voter, so it leads it, and the quorum has committed at least its registration.
        var quorum = cluster.GetProperty("quorum");
        Assert.Equal(1, quorum.GetProperty("leaderId").GetInt32());
        Assert.True(quorum.GetProperty("leaderEpoch").GetInt32() >= 1);
        var highWatermark = quorum.GetProperty("highWatermark").GetInt64();
        Assert.True(highWatermark > 0, $"high watermark {highWatermark}");
        var voter = Assert.Single(quorum.GetProperty("voters").EnumerateArray());
        Assert.Equal(1, voter.GetProperty("id").GetInt32());
        Assert.True(voter.GetProperty("leader").GetBoolean());
        Assert.True(voter.GetProperty("logEndOffset").GetInt64() >= highWatermark);
        Assert.Empty(quorum.GetProperty("observers").EnumerateArray());

        var table = await Cli.RunAsync(_node.BootstrapServers, "cluster", "info");
        Assert.Equal(0, table.ExitCode);
        Assert.StartsWith("Cluster ID: " + cluster.GetProperty("clusterId").GetString(), table.Stdout, StringComparison.Ordinal);
        Assert.Contains("Quorum leader: 1\n", table.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"\n1 +leader +\d+ +0 ", table.Stdout);
    }

    [Fact]
    public async Task BrokersOption_WinsOverTheEnvironment()
    {
        var info = await Cli.RunAsync("127.0.0.1:1", "cluster", "info", "--brokers", _node.BootstrapServers, "--output", "json");
        Assert.True(info.ExitCode == 0, info.ToString());
    }

    [Theory]
    [InlineData("topic", "describe", "nope")]
    [InlineData("consume", "nope", "-e")]
    [InlineData("topic", "add-partitions", "nope", "--count", "1")]
    [InlineData("topic", "delete", "nope")]
    public async Task UnknownTopic_Exits1_WithOneLineOnStderr(params string[] args)
    {
        var run = await Cli.RunAsync(_node.BootstrapServers, args);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("rill: topic 'nope' does not exist\n", run.Stderr);
    }

    [Fact]
    public async Task Produce_ToAnUnknownTopic_Exits1_AndCreatesNothing()
    {
        var run = await Cli.RunWithInputAsync(_node.BootstrapServers, "x\n", "produce", "nope");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("rill: topic 'nope' does not exist\n", run.Stderr);
        var list = await Cli.RunAsync(_node.BootstrapServers, "topic", "list", "--output", "json");
        Assert.DoesNotContain(list.Json().GetProperty("topics").EnumerateArray(), t => t.GetProperty("name").GetString() == "nope");
    }

    [Fact]
    public async Task RefusedConnection_Exits3_InUnderFiveSeconds()
    {
        var address = $"127.0.0.1:{ClosedPort()}";
        var run = await Cli.RunAsync(address, "topic", "list");
        Assert.Equal(3, run.ExitCode);
        Assert.Equal($"rill: cannot reach {address} (connection refused)\n", run.Stderr);
        Assert.Empty(run.Stdout);
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(5), $"took {run.Elapsed}");
    }

    [Fact]
    public async Task SilentBroker_Exits3_AfterTheTimeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        var accepting = AcceptForeverAsync(silent, accepted, TestContext.Current.CancellationToken);
        var address = $"127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";

        var run = await Cli.RunAsync(address, "cluster", "info", "--timeout", "1s");

        Assert.Equal(3, run.ExitCode);
        Assert.Equal($"rill: cannot reach {address} (timed out after 1 s)\n", run.Stderr);
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(8), $"took {run.Elapsed}");
        silent.Stop();
        await accepting;
        accepted.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task UnresolvableHost_Exits3_NamingTheHost()
    {
        var run = await Cli.RunAsync("no-such-host.invalid:9092", "group", "list");
        Assert.Equal(3, run.ExitCode);
        Assert.StartsWith("rill: cannot reach no-such-host.invalid:9092 (", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("topic", "create")]
    [InlineData("topic", "create", "t", "--partitions", "0")]
    [InlineData("topic", "create", "t", "--config", "no-equals-sign")]
    [InlineData("topic", "list", "--output", "xml")]
    [InlineData("topic", "list", "--timeout", "soon")]
    [InlineData("topic", "alter-config", "t")]
    [InlineData("topic", "alter-config", "t", "--set", "no-equals-sign")]
    [InlineData("topic", "add-partitions", "t")]
    [InlineData("produce", "t", "--compression", "brotli")]
    [InlineData("produce", "t", "--acks", "2")]
    [InlineData("consume", "t", "--from-beginning", "--offset", "3")]
    [InlineData("consume", "t", "--timestamp", "yesterday")]
    [InlineData("consume", "t", "--format", "%q")]
    [InlineData("consume", "t", "-n", "0")]
    [InlineData("group", "reset-offsets", "g", "--topic", "t")]
    [InlineData("group", "reset-offsets", "g", "--to-earliest")]
    [InlineData("group", "reset-offsets", "g", "--topic", "t:x", "--to-earliest")]
    [InlineData("group", "reset-offsets", "g", "--topic", "t", "--to-earliest", "--to-latest")]
    [InlineData("group", "reset-offsets", "g", "--topic", "t", "--by-duration", "ten minutes")]
    [InlineData("cluster")]
    [InlineData("bogus")]
    [InlineData("topic", "list", "-X", "no.such.property=1")]
    [InlineData("topic", "list", "-X", "security.protocol=carrier-pigeon")]
    [InlineData("perf", "consume", "t", "-X", "dotnet.consumer.consume.result.fields=none")]
    public async Task BadArguments_Exit2_WithTheProblemAndAHelpHint(params string[] args)
    {
        var run = await Cli.RunAsync(_node.BootstrapServers, args);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("rill: ", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task UsageError_NamesTheProblem_AndPointsAtTheCommandsHelp()
    {
        var run = await Cli.RunAsync(_node.BootstrapServers, "topic", "create", "t", "--config", "retention.ms");
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("rill: --config: expected key=value, got 'retention.ms'\nRun 'rill topic create --help' for usage.\n", run.Stderr);
    }

    [Theory]
    [InlineData("topic", "create")]
    [InlineData("produce")]
    [InlineData("consume")]
    [InlineData("group", "reset-offsets")]
    [InlineData("cluster", "info")]
    [InlineData("cluster", "config")]
    [InlineData("cluster", "alter-config")]
    public async Task Help_ShowsExamples_AndExits0(params string[] command)
    {
        var run = await Cli.RunAsync(_node.BootstrapServers, [.. command, "--help"]);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Examples:", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("--brokers", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("--output", run.Stdout, StringComparison.Ordinal);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static async Task AcceptForeverAsync(TcpListener listener, List<Socket> accepted, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                accepted.Add(await listener.AcceptSocketAsync(cancellationToken));
            }
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The listener stopped: the test is done with the silent broker.
        }
    }
}
