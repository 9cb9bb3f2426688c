using System.Text.Json;
using Rill.TestKit;

namespace Rill.Cli.Tests;

/// <summary><c>rill topic ...</c> against a broker in this process, asserting on the JSON a script would parse.</summary>
public sealed class TopicCommandTests : IAsyncLifetime
{
    private RillTestNode _node = null!;

    public async ValueTask InitializeAsync() => _node = await RillTestNode.StartAsync("num.partitions=3");

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Create_WithPartitionsAndConfig_DescribeShowsPartitionsReplicasOffsetsAndConfigSources()
    {
        var create = await Run("topic", "create", "orders", "--partitions", "4", "--replication-factor", "1", "--config", "retention.ms=123456", "--output", "json");
        Assert.Equal(0, create.ExitCode);
        var created = Assert.Single(create.Json().GetProperty("topics").EnumerateArray());
        Assert.Equal("orders", created.GetProperty("name").GetString());
        Assert.Equal(4, created.GetProperty("partitions").GetInt32());
        Assert.Equal(1, created.GetProperty("replicationFactor").GetInt32());
        Assert.True(created.GetProperty("created").GetBoolean());

        var produce = await Cli.RunWithInputAsync(_node.BootstrapServers, "a\nb\nc\n", "produce", "orders", "--partition", "2");
        Assert.Equal(0, produce.ExitCode);

        var describe = await Run("topic", "describe", "orders", "--output", "json");
        Assert.Equal(0, describe.ExitCode);
        var topic = describe.Json();
        Assert.Equal("orders", topic.GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(topic.GetProperty("topicId").GetString()));
        Assert.Equal(4, topic.GetProperty("partitionCount").GetInt32());
        var partitions = topic.GetProperty("partitions").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2, 3], partitions.Select(p => p.GetProperty("partition").GetInt32()));
        Assert.All(partitions, p =>
        {
            Assert.Equal(1, p.GetProperty("leader").GetInt32());
            Assert.Equal([1], p.GetProperty("replicas").EnumerateArray().Select(r => r.GetInt32()));
            Assert.Equal([1], p.GetProperty("isr").EnumerateArray().Select(r => r.GetInt32()));
            Assert.Equal(0, p.GetProperty("earliestOffset").GetInt64());
        });
        Assert.Equal([0L, 0L, 3L, 0L], partitions.Select(p => p.GetProperty("latestOffset").GetInt64()));

        var configs = topic.GetProperty("configs").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal("123456", configs["retention.ms"].GetProperty("value").GetString());
        Assert.Equal("DYNAMIC_TOPIC_CONFIG", configs["retention.ms"].GetProperty("source").GetString());
        Assert.Equal("delete", configs["cleanup.policy"].GetProperty("value").GetString());
        Assert.True(configs["cleanup.policy"].GetProperty("default").GetBoolean());
    }

    [Fact]
    public async Task Create_WithoutPartitions_TakesTheBrokersNumPartitions()
    {
        var create = await Run("topic", "create", "defaults", "--output", "json");
        Assert.Equal(0, create.ExitCode);
        Assert.Equal(3, create.Json().GetProperty("topics")[0].GetProperty("partitions").GetInt32());
    }

    [Fact]
    public async Task Create_AnExistingTopic_Exits1WithOneLine_UnlessIfNotExists()
    {
        Assert.Equal(0, (await Run("topic", "create", "twice")).ExitCode);

        var again = await Run("topic", "create", "twice");
        Assert.Equal(1, again.ExitCode);
        Assert.Equal("rill: topic 'twice' already exists\n", again.Stderr);
        Assert.Empty(again.Stdout);

        var tolerant = await Run("topic", "create", "twice", "--if-not-exists", "--output", "json");
        Assert.Equal(0, tolerant.ExitCode);
        Assert.False(tolerant.Json().GetProperty("topics")[0].GetProperty("created").GetBoolean());
    }

    [Fact]
    public async Task List_ShowsTopicsSortedWithPartitionCounts()
    {
        Assert.Equal(0, (await Run("topic", "create", "list-b", "-p", "2")).ExitCode);
        Assert.Equal(0, (await Run("topic", "create", "list-a", "-p", "1")).ExitCode);

        var list = await Run("topic", "list", "--output", "json");
        Assert.Equal(0, list.ExitCode);
        var topics = list.Json().GetProperty("topics").EnumerateArray().ToList();
        var names = topics.Select(t => t.GetProperty("name").GetString()!).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.DoesNotContain(names, n => n.StartsWith("__", StringComparison.Ordinal));
        var a = topics.Single(t => t.GetProperty("name").GetString() == "list-a");
        var b = topics.Single(t => t.GetProperty("name").GetString() == "list-b");
        Assert.Equal(1, a.GetProperty("partitions").GetInt32());
        Assert.Equal(2, b.GetProperty("partitions").GetInt32());
        Assert.Equal(1, b.GetProperty("replicationFactor").GetInt32());
        Assert.False(b.GetProperty("internal").GetBoolean());
    }

    [Fact]
    public async Task List_AsATable_HasHeadersAndRowsWithoutEscapeCodes()
    {
        Assert.Equal(0, (await Run("topic", "create", "table-topic", "-p", "2")).ExitCode);

        var list = await Run("topic", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.DoesNotContain('\u001b', list.Stdout);
        var lines = list.Lines();
        Assert.Equal(["TOPIC", "PARTITIONS", "REPLICATION"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).SequenceEqual(["table-topic", "2", "1"]));
    }

    [Fact]
    public async Task Delete_RemovesTheTopic_ThenItIsUnknown()
    {
        Assert.Equal(0, (await Run("topic", "create", "doomed")).ExitCode);

        var delete = await Run("topic", "delete", "doomed", "--output", "json");
        Assert.Equal(0, delete.ExitCode);
        Assert.Equal(["doomed"], delete.Json().GetProperty("deleted").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(delete.Json().GetProperty("failed").EnumerateArray());

        await Eventually.UntilAsync(
            async () => (await Run("topic", "describe", "doomed")).ExitCode == 1,
            TimeSpan.FromSeconds(10),
            "the deleted topic to be unknown");
        var again = await Run("topic", "delete", "doomed");
        Assert.Equal(1, again.ExitCode);
        Assert.Equal("rill: topic 'doomed' does not exist\n", again.Stderr);

        var tolerant = await Run("topic", "delete", "doomed", "--if-exists");
        Assert.Equal(0, tolerant.ExitCode);
    }

    [Fact]
    public async Task AddPartitions_Count2_GrowsThreeToFive()
    {
        Assert.Equal(0, (await Run("topic", "create", "growing", "-p", "3")).ExitCode);

        var add = await Run("topic", "add-partitions", "growing", "--count", "2", "--output", "json");
        Assert.Equal(0, add.ExitCode);
        Assert.Equal(3, add.Json().GetProperty("previousPartitions").GetInt32());
        Assert.Equal(5, add.Json().GetProperty("partitions").GetInt32());

        await Eventually.UntilAsync(
            async () => (await Run("topic", "describe", "growing", "--output", "json")).Json().GetProperty("partitionCount").GetInt32() == 5,
            TimeSpan.FromSeconds(10),
            "describe to show five partitions");
    }

    [Fact]
    public async Task AlterConfig_SetThenDelete_DescribeShowsTheSourceChange()
    {
        Assert.Equal(0, (await Run("topic", "create", "tuned")).ExitCode);

        var set = await Run("topic", "alter-config", "tuned", "--set", "retention.ms=60000", "--set", "segment.bytes=1048576", "--output", "json");
        Assert.Equal(0, set.ExitCode);
        Assert.Equal("60000", set.Json().GetProperty("set").GetProperty("retention.ms").GetString());

        var afterSet = await ConfigsAsync("tuned");
        Assert.Equal(("60000", "DYNAMIC_TOPIC_CONFIG"), afterSet["retention.ms"]);
        Assert.Equal(("1048576", "DYNAMIC_TOPIC_CONFIG"), afterSet["segment.bytes"]);

        var delete = await Run("topic", "alter-config", "tuned", "--delete", "retention.ms", "--output", "json");
        Assert.Equal(0, delete.ExitCode);
        Assert.Equal(["retention.ms"], delete.Json().GetProperty("deleted").EnumerateArray().Select(e => e.GetString()));

        var afterDelete = await ConfigsAsync("tuned");
        Assert.NotEqual("DYNAMIC_TOPIC_CONFIG", afterDelete["retention.ms"].Source);
        Assert.Equal(("1048576", "DYNAMIC_TOPIC_CONFIG"), afterDelete["segment.bytes"]);
    }

    [Fact]
    public async Task AlterConfig_UnknownTopic_Exits1()
    {
        var alter = await Run("topic", "alter-config", "ghost", "--set", "retention.ms=1");
        Assert.Equal(1, alter.ExitCode);
        Assert.StartsWith("rill: topic 'ghost'", alter.Stderr, StringComparison.Ordinal);
    }

    private async Task<Dictionary<string, (string? Value, string? Source)>> ConfigsAsync(string topic)
    {
        var describe = await Run("topic", "describe", topic, "--output", "json");
        Assert.Equal(0, describe.ExitCode);
        return describe.Json().GetProperty("configs").EnumerateArray().ToDictionary(
            c => c.GetProperty("name").GetString()!,
            c => (c.GetProperty("value").ValueKind == JsonValueKind.Null ? null : c.GetProperty("value").GetString(), c.GetProperty("source").GetString()));
    }

    private Task<CliResult> Run(params string[] args) => Cli.RunAsync(_node.BootstrapServers, args);
}
