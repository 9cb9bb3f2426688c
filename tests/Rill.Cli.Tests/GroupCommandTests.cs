using System.Globalization;
using System.Text.Json;
using Rill.TestKit;

namespace Rill.Cli.Tests;

/// <summary><c>rill group ...</c> after <c>rill consume --group</c> committed offsets: exact lag, resets, deletes.</summary>
public sealed class GroupCommandTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private RillTestNode _node = null!;

    public async ValueTask InitializeAsync() => _node = await RillTestNode.StartAsync();

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Describe_AfterAGroupConsumerCommitted_ShowsExactCommittedEndAndLag()
    {
        await CreateWithRecordsAsync("lagging", partition0: 5, partition1: 3);

        var consume = await Run("consume", "lagging", "--group", "billing", "--partition", "0", "--from-beginning", "-n", "3");
        Assert.True(consume.ExitCode == 0, consume.ToString());
        Assert.Equal(["p0-0", "p0-1", "p0-2"], consume.Lines());

        var describe = await Run("group", "describe", "billing", "--output", "json");
        Assert.True(describe.ExitCode == 0, describe.ToString());
        var group = describe.Json();
        Assert.Equal("billing", group.GetProperty("groupId").GetString());
        Assert.Equal("Empty", group.GetProperty("state").GetString());
        Assert.Empty(group.GetProperty("members").EnumerateArray());
        var partition = Assert.Single(group.GetProperty("partitions").EnumerateArray());
        Assert.Equal("lagging", partition.GetProperty("topic").GetString());
        Assert.Equal(0, partition.GetProperty("partition").GetInt32());
        Assert.Equal(3, partition.GetProperty("committedOffset").GetInt64());
        Assert.Equal(5, partition.GetProperty("endOffset").GetInt64());
        Assert.Equal(2, partition.GetProperty("lag").GetInt64());
        Assert.Equal(2, group.GetProperty("totalLag").GetInt64());
    }

    [Fact]
    public async Task Consume_InAGroupToTheEnd_CommitsEverything_AndListShowsTheGroupEmpty()
    {
        await CreateWithRecordsAsync("drained", partition0: 4, partition1: 2);

        var consume = await Run("consume", "drained", "--group", "drainers", "--from-beginning", "-e");
        Assert.True(consume.ExitCode == 0, consume.ToString());
        Assert.Equal(6, consume.Lines().Count);

        var offsets = await OffsetsAsync("drainers");
        Assert.Equal(new PartitionOffsets(4, 4, 0), offsets[("drained", 0)]);
        Assert.Equal(new PartitionOffsets(2, 2, 0), offsets[("drained", 1)]);

        var again = await Run("consume", "drained", "--group", "drainers", "-e");
        Assert.Equal(0, again.ExitCode);
        Assert.Empty(again.Stdout);

        var list = await Run("group", "list", "--output", "json");
        Assert.Equal(0, list.ExitCode);
        var listed = list.Json().GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("groupId").GetString() == "drainers");
        Assert.Equal("Empty", listed.GetProperty("state").GetString());
    }

    [Fact]
    public async Task ResetOffsets_DryRunChangesNothing_ThenEachTargetMovesTheCommittedOffsets()
    {
        await CreateWithRecordsAsync("rewind", partition0: 6, partition1: 4);
        Assert.Equal(0, (await Run("consume", "rewind", "--group", "rewinders", "--from-beginning", "-e")).ExitCode);

        var dryRun = await Run("group", "reset-offsets", "rewinders", "--topic", "rewind", "--to-earliest", "--dry-run", "--output", "json");
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.True(dryRun.Json().GetProperty("dryRun").GetBoolean());
        Assert.Equal(Entries(("rewind", 0, 6L, 0L), ("rewind", 1, 4L, 0L)),
            Plan(dryRun.Json()));
        Assert.Equal(6, (await OffsetsAsync("rewinders"))[("rewind", 0)].Committed);

        var earliest = await Run("group", "reset-offsets", "rewinders", "--topic", "rewind", "--to-earliest", "--output", "json");
        Assert.True(earliest.ExitCode == 0, earliest.ToString());
        Assert.False(earliest.Json().GetProperty("dryRun").GetBoolean());
        var offsets = await OffsetsAsync("rewinders");
        Assert.Equal(new PartitionOffsets(0, 6, 6), offsets[("rewind", 0)]);
        Assert.Equal(new PartitionOffsets(0, 4, 4), offsets[("rewind", 1)]);

        var toOffset = await Run("group", "reset-offsets", "rewinders", "--topic", "rewind:0", "--to-offset", "2", "--output", "json");
        Assert.Equal(Entries(("rewind", 0, 0L, 2L)), Plan(toOffset.Json()));
        Assert.Equal(2, (await OffsetsAsync("rewinders"))[("rewind", 0)].Committed);

        var clamped = await Run("group", "reset-offsets", "rewinders", "--topic", "rewind:1", "--to-offset", "99", "--output", "json");
        Assert.Equal(Entries(("rewind", 1, 0L, 4L)), Plan(clamped.Json()));

        var latest = await Run("group", "reset-offsets", "rewinders", "--all-topics", "--to-latest", "--output", "json");
        Assert.Equal(Entries(("rewind", 0, 2L, 6L), ("rewind", 1, 4L, 4L)), Plan(latest.Json()));

        var byDuration = await Run("group", "reset-offsets", "rewinders", "--topic", "rewind", "--by-duration", "PT1H", "--output", "json");
        Assert.Equal(Entries(("rewind", 0, 6L, 0L), ("rewind", 1, 4L, 0L)), Plan(byDuration.Json()));

        var future = TimeProvider.System.GetUtcNow().AddHours(1).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var toTimestamp = await Run("group", "reset-offsets", "rewinders", "--topic", "rewind", "--to-timestamp", future, "--output", "json");
        Assert.Equal(Entries(("rewind", 0, 0L, 6L), ("rewind", 1, 0L, 4L)), Plan(toTimestamp.Json()));

        var table = await Run("group", "reset-offsets", "rewinders", "--topic", "rewind", "--to-earliest", "--dry-run");
        Assert.Equal("plan for group 'rewinders' (dry run: nothing changed)", table.Lines()[0]);
    }

    [Fact]
    public async Task ActiveMember_IsDescribed_AndBlocksResetAndDelete_UntilItLeaves()
    {
        await CreateWithRecordsAsync("live", partition0: 2, partition1: 2);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var member = Cli.RunAsync(_node.BootstrapServers, string.Empty, stop.Token, "consume", "live", "--group", "watchers", "--from-beginning");

        JsonElement group = default;
        await Eventually.UntilAsync(
            async () =>
            {
                var describe = await Run("group", "describe", "watchers", "--output", "json");
                if (describe.ExitCode != 0)
                {
                    return false;
                }

                group = describe.Json();
                return group.GetProperty("state").GetString() == "Stable" && group.GetProperty("members").GetArrayLength() == 1;
            },
            Patience,
            "the consumer to join the group");
        var memberDescription = group.GetProperty("members")[0];
        Assert.Equal("rill-cli", memberDescription.GetProperty("clientId").GetString());
        Assert.False(string.IsNullOrEmpty(memberDescription.GetProperty("memberId").GetString()));
        Assert.Contains("127.0.0.1", memberDescription.GetProperty("host").GetString(), StringComparison.Ordinal);
        Assert.Equal(
            [("live", 0), ("live", 1)],
            memberDescription.GetProperty("assignments").EnumerateArray().Select(a => (a.GetProperty("topic").GetString(), a.GetProperty("partition").GetInt32())));
        Assert.Equal("range", group.GetProperty("protocol").GetString());

        var reset = await Run("group", "reset-offsets", "watchers", "--topic", "live", "--to-earliest");
        Assert.Equal(1, reset.ExitCode);
        Assert.Equal("rill: group 'watchers' is not empty (state Stable, 1 member): stop its consumers before resetting offsets\n", reset.Stderr);

        var planWhileActive = await Run("group", "reset-offsets", "watchers", "--topic", "live", "--to-earliest", "--dry-run");
        Assert.Equal(0, planWhileActive.ExitCode);

        var delete = await Run("group", "delete", "watchers");
        Assert.Equal(1, delete.ExitCode);
        Assert.Equal("rill: group 'watchers' is not empty: it has active members (stop its consumers first)\n", delete.Stderr);

        await stop.CancelAsync();
        var stopped = await member;
        Assert.Equal(0, stopped.ExitCode);

        // Stopping commits exactly what was printed, however far the member had got.
        var printed = stopped.Lines();
        var committed = await OffsetsAsync("watchers");
        foreach (var partition in new[] { 0, 1 })
        {
            var count = printed.Count(l => l.StartsWith($"p{partition}-", StringComparison.Ordinal));
            Assert.Equal(count == 0 ? null : count, committed.GetValueOrDefault(("live", partition))?.Committed);
        }

        var deleted = await Run("group", "delete", "watchers", "--output", "json");
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Equal(["watchers"], deleted.Json().GetProperty("deleted").EnumerateArray().Select(e => e.GetString()));

        var gone = await Run("group", "describe", "watchers");
        Assert.Equal(1, gone.ExitCode);
        Assert.Equal("rill: group 'watchers' does not exist\n", gone.Stderr);
    }

    [Fact]
    public async Task Delete_UnknownGroup_Exits1()
    {
        var delete = await Run("group", "delete", "nobody");
        Assert.Equal(1, delete.ExitCode);
        Assert.Equal("rill: group 'nobody' does not exist\n", delete.Stderr);
    }

    private static List<(string? Topic, int Partition, long? Current, long New)> Plan(JsonElement output) =>
    [
        .. output.GetProperty("partitions").EnumerateArray().Select(p => (
            p.GetProperty("topic").GetString(),
            p.GetProperty("partition").GetInt32(),
            p.GetProperty("currentOffset").ValueKind == JsonValueKind.Null ? (long?)null : p.GetProperty("currentOffset").GetInt64(),
            p.GetProperty("newOffset").GetInt64())),
    ];

    private static List<(string? Topic, int Partition, long? Current, long New)> Entries(params (string? Topic, int Partition, long? Current, long New)[] entries) => [.. entries];

    private async Task<Dictionary<(string, int), PartitionOffsets>> OffsetsAsync(string group)
    {
        var describe = await Run("group", "describe", group, "--output", "json");
        Assert.True(describe.ExitCode == 0, describe.ToString());
        return describe.Json().GetProperty("partitions").EnumerateArray().ToDictionary(
            p => (p.GetProperty("topic").GetString()!, p.GetProperty("partition").GetInt32()),
            p => new PartitionOffsets(
                p.GetProperty("committedOffset").ValueKind == JsonValueKind.Null ? null : p.GetProperty("committedOffset").GetInt64(),
                p.GetProperty("endOffset").GetInt64(),
                p.GetProperty("lag").ValueKind == JsonValueKind.Null ? null : p.GetProperty("lag").GetInt64()));
    }

    private async Task CreateWithRecordsAsync(string topic, int partition0, int partition1)
    {
        Assert.Equal(0, (await Run("topic", "create", topic, "--partitions", "2")).ExitCode);
        foreach (var (partition, count) in new[] { (0, partition0), (1, partition1) })
        {
            var lines = string.Concat(Enumerable.Range(0, count).Select(i => $"p{partition}-{i}\n"));
            var produce = await Cli.RunWithInputAsync(_node.BootstrapServers, lines, "produce", topic, "--partition", partition.ToString(CultureInfo.InvariantCulture));
            Assert.True(produce.ExitCode == 0, produce.ToString());
        }
    }

    private Task<CliResult> Run(params string[] args) => Cli.RunAsync(_node.BootstrapServers, args);

    private sealed record PartitionOffsets(long? Committed, long End, long? Lag);
}
