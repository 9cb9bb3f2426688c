using System.Text.Json;
using Rill.TestKit;

namespace Rill.Cli.Tests;

/// <summary><c>rill cluster config</c> and <c>rill cluster alter-config</c> against a broker with dynamic configs.</summary>
public sealed class ClusterConfigCommandTests : IAsyncLifetime
{
    private RillTestNode _node = null!;

    public async ValueTask InitializeAsync() => _node = await RillTestNode.StartAsync("log.retention.hours=2");

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task AlterConfig_SetsAndDeletesTheBrokersDynamicValues_AndConfigShowsTheirSource()
    {
        var set = await Run("cluster", "alter-config", "--set", "log.retention.ms=3600000", "--set", "message.max.bytes=2097152", "--output", "json");
        Assert.True(set.ExitCode == 0, set.ToString());
        var setJson = set.Json();
        Assert.Equal(1, setJson.GetProperty("broker").GetInt32());
        Assert.Equal("3600000", setJson.GetProperty("set").GetProperty("log.retention.ms").GetString());

        var afterSet = await ConfigsAsync();
        Assert.Equal(("3600000", "DYNAMIC_BROKER_CONFIG", true), afterSet["log.retention.ms"]);
        Assert.Equal(("2097152", "DYNAMIC_BROKER_CONFIG", true), afterSet["message.max.bytes"]);
        Assert.Equal(("2", "STATIC_BROKER_CONFIG", false), afterSet["log.retention.hours"]);
        Assert.DoesNotContain("auto.create.topics.enable", afterSet.Keys);

        var delete = await Run("cluster", "alter-config", "--broker", "1", "--delete", "log.retention.ms");
        Assert.True(delete.ExitCode == 0, delete.ToString());
        Assert.Equal("broker 1: deleted log.retention.ms (the static or default value applies)\n", delete.Stdout);

        var afterDelete = await ConfigsAsync();
        Assert.DoesNotContain("log.retention.ms", afterDelete.Keys);
        Assert.Equal(("2097152", "DYNAMIC_BROKER_CONFIG", true), afterDelete["message.max.bytes"]);
    }

    [Fact]
    public async Task Config_All_ListsDefaultsToo()
    {
        var run = await Run("cluster", "config", "--all", "--output", "json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var configs = run.Json().GetProperty("configs").EnumerateArray().ToList();
        var autoCreate = Assert.Single(configs, c => c.GetProperty("name").GetString() == "auto.create.topics.enable");
        Assert.Equal("DEFAULT_CONFIG", autoCreate.GetProperty("source").GetString());
        Assert.False(autoCreate.GetProperty("dynamic").GetBoolean());
    }

    [Fact]
    public async Task AlterConfig_OfAReadOnlyKey_Exits1_WithKafkasReason()
    {
        var run = await Run("cluster", "alter-config", "--set", "num.partitions=3");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("rill: broker 1: Cannot update these configs dynamically: Set(num.partitions)\n", run.Stderr);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task ABrokerThatIsNotInTheCluster_Exits1()
    {
        var run = await Run("cluster", "config", "--broker", "7");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("rill: broker 7 is not in the cluster (brokers: 1)\n", run.Stderr);
    }

    [Fact]
    public async Task AlterConfig_WithoutChanges_IsAUsageError()
    {
        var run = await Run("cluster", "alter-config");
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("rill: give at least one --set key=value or --delete key\nRun 'rill cluster alter-config --help' for usage.\n", run.Stderr);
    }

    private async Task<Dictionary<string, (string? Value, string? Source, bool Dynamic)>> ConfigsAsync()
    {
        var describe = await Run("cluster", "config", "--output", "json");
        Assert.True(describe.ExitCode == 0, describe.ToString());
        return describe.Json().GetProperty("configs").EnumerateArray().ToDictionary(
            c => c.GetProperty("name").GetString()!,
            c => (
                c.GetProperty("value").ValueKind == JsonValueKind.Null ? null : c.GetProperty("value").GetString(),
                c.GetProperty("source").GetString(),
                c.GetProperty("dynamic").GetBoolean()));
    }

    private Task<CliResult> Run(params string[] args) => Cli.RunAsync(_node.BootstrapServers, args);
}
