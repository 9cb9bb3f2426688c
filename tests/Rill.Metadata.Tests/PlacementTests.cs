using Rill.Common;

namespace Rill.Metadata.Tests;

/// <summary>Automatic replica placement: even over the unfenced brokers, across racks when brokers have them.</summary>
public sealed class PlacementTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rill-metadata-tests", Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Replicas_AndLeaders_SpreadEvenlyOverTheBrokers()
    {
        using var node = Node.OpenCluster(_dir, brokers: 3);
        Assert.Equal((short)ErrorCode.None, (await node.CreateTopicAsync("even", 6, 3)).ErrorCode);

        var partitions = node.Image.Topics["even"].Partitions;
        Assert.All(partitions, p =>
        {
            Assert.Equal(3, p.Replicas.Distinct().Count());
            Assert.Equal(p.Replicas, p.Isr);
            Assert.Equal(p.Replicas[0], p.Leader);
        });
        Assert.Equal([2, 2, 2], partitions.GroupBy(p => p.Leader).OrderBy(g => g.Key).Select(g => g.Count()));

        Assert.Equal((short)ErrorCode.None, (await node.CreateTopicAsync("single", 9, 1)).ErrorCode);
        Assert.Equal([3, 3, 3], node.Image.Topics["single"].Partitions.GroupBy(p => p.Leader).OrderBy(g => g.Key).Select(g => g.Count()));
    }

    [Fact]
    public async Task EachPartition_SpansAsManyRacksAsItHasReplicas_AndLeadersSpreadOverRacks()
    {
        using var node = Node.OpenCluster(_dir, brokers: 6, racks: ["a", "a", "b", "b", "c", "c"]);
        Assert.Equal((short)ErrorCode.None, (await node.CreateTopicAsync("racked", 12, 3)).ErrorCode);

        var racks = node.Image.Brokers.ToDictionary(b => b.Key, b => b.Value.Rack);
        var partitions = node.Image.Topics["racked"].Partitions;
        Assert.All(partitions, p => Assert.Equal(3, p.Replicas.Select(r => racks[r]).Distinct().Count()));
        Assert.Equal([2, 2, 2, 2, 2, 2], partitions.GroupBy(p => p.Leader).OrderBy(g => g.Key).Select(g => g.Count()));
    }

    [Fact]
    public async Task UnevenRacks_StillGiveEveryPartitionAReplicaInEachRack()
    {
        using var node = Node.OpenCluster(_dir, brokers: 4, racks: ["a", "a", "a", "b"]);
        Assert.Equal((short)ErrorCode.None, (await node.CreateTopicAsync("lopsided", 8, 2)).ErrorCode);

        Assert.All(node.Image.Topics["lopsided"].Partitions, p => Assert.Contains(4, p.Replicas));
    }

    [Fact]
    public async Task TooFewUnfencedBrokers_IsInvalidReplicationFactor_AndFencedBrokersGetNoNewReplicas()
    {
        using var node = Node.OpenCluster(_dir, brokers: 3);
        var refused = await node.CreateTopicAsync("wide", 1, 4);
        Assert.Equal((short)ErrorCode.InvalidReplicationFactor, refused.ErrorCode);
        Assert.Equal("Replication factor 4 is larger than the 3 available brokers.", refused.ErrorMessage);

        await node.AdvanceAsync(TimeSpan.FromSeconds(10), silent: 3);
        Assert.Equal([3], await node.Controller.FenceStaleBrokersAsync(CancellationToken.None));
        Assert.Equal((short)ErrorCode.InvalidReplicationFactor, (await node.CreateTopicAsync("three", 1, 3)).ErrorCode);
        Assert.Equal((short)ErrorCode.None, (await node.CreateTopicAsync("two", 4, 2)).ErrorCode);
        Assert.All(node.Image.Topics["two"].Partitions, p => Assert.DoesNotContain(3, p.Replicas));

        // An explicit assignment may name a fenced broker: it is a replica but not in the ISR, and does not lead.
        Assert.Equal((short)ErrorCode.None, (await node.CreateAssignedTopicAsync("assigned", [3, 1])).ErrorCode);
        var assigned = node.Partition("assigned", 0);
        Assert.Equal([3, 1], assigned.Replicas);
        Assert.Equal([1], assigned.Isr);
        Assert.Equal(1, assigned.Leader);
    }

    [Fact]
    public async Task APlacement_IsRepeatableWithTheSameSeed()
    {
        static async Task<List<int[]>> PlaceAsync(string dir)
        {
            using var node = Node.OpenCluster(dir, brokers: 5, racks: ["x", "y", "x", "y", "z"]);
            await node.CreateTopicAsync("seeded", 10, 3);
            return [.. node.Image.Topics["seeded"].Partitions.Select(p => p.Replicas.ToArray())];
        }

        var first = await PlaceAsync(Path.Combine(_dir, "a"));
        var second = await PlaceAsync(Path.Combine(_dir, "b"));
        Assert.Equal(first, second);
    }
}
