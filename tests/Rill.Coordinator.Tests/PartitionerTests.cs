namespace Rill.Coordinator.Tests;

public sealed class PartitionerTests
{
    // Expected values worked out from Java's String.hashCode (s[0]*31^(n-1) + ... + s[n-1], int overflow) and
    // Kafka's Utils.abs (Math.abs, with Integer.MIN_VALUE -> 0), then % 50:
    //   "test"                   = 3556498                        -> 3556498 % 50 = 48
    //   "group-1"                = 293427299                      -> 49
    //   "console-consumer-12345" = 158455506                      -> 6
    //   "my-group"               = -1906497762 -> abs 1906497762  -> 12  (x & 0x7fffffff would give 36)
    //   "orders"                 = -1008770331 -> abs 1008770331  -> 31  (x & 0x7fffffff would give 17)
    //   "polygenelubricants"     = Integer.MIN_VALUE -> 0         -> 0
    //   "g"                      = 103                            -> 3
    [Theory]
    [InlineData("test", 3556498, 48)]
    [InlineData("group-1", 293427299, 49)]
    [InlineData("console-consumer-12345", 158455506, 6)]
    [InlineData("my-group", -1906497762, 12)]
    [InlineData("orders", -1008770331, 31)]
    [InlineData("polygenelubricants", int.MinValue, 0)]
    [InlineData("g", 103, 3)]
    public async Task PartitionFor_MatchesKafkasMapping(string groupId, int javaHashCode, int partition)
    {
        Assert.Equal(javaHashCode, GroupPartitioner.JavaHashCode(groupId));
        await using var harness = await CoordinatorHarness.StartAsync(CoordinatorHarness.DefaultConfig with { OffsetsTopicPartitions = 50 }, load: false);
        harness.Image = CoordinatorHarness.ImageWithTopics(withOffsetsTopic: false);

        Assert.Equal(partition, harness.Coordinator.PartitionFor(groupId));
    }

    [Fact]
    public async Task PartitionFor_UsesTheOffsetsTopicsRealPartitionCountOnceItExists()
    {
        await using var harness = await CoordinatorHarness.StartAsync(CoordinatorHarness.DefaultConfig with { OffsetsTopicPartitions = 50 }, load: false);

        // The topic has 5 partitions: 1906497762 % 5 = 2.
        Assert.Equal(2, harness.Coordinator.PartitionFor("my-group"));
    }
}
