using Rill.Config;

namespace Rill.Server.Tests.Configuration;

/// <summary>max.partition.replicas.per.broker: set, or derived from the open-file limit with room for everything else.</summary>
public sealed class OpenFileLimitTests
{
    [Theory]
    [InlineData(20_000, 6_000)]
    [InlineData(1_024, 256)]
    [InlineData(300, 14)]
    [InlineData(100, 1)]
    [InlineData(long.MaxValue, 1_000_000)]
    public void PartitionReplicas_KeepATenthAtLeast256ForTheRest_AndThreeFilesPerReplica(long openFiles, int replicas) =>
        Assert.Equal(replicas, OpenFileLimit.PartitionReplicas(openFiles));

    [Fact]
    public void TheDefault_IsDerivedFromThisProcesssLimit_AndAnExplicitValueWins()
    {
        var derived = ServerConfig.Load(null, new Dictionary<string, string>(), []);
        Assert.Equal(OpenFileLimit.PartitionReplicas(OpenFileLimit.Current()), derived.MaxPartitionReplicasPerBroker);
        Assert.True(OpenFileLimit.Current() > 0);

        var set = ServerConfig.Load(null, new Dictionary<string, string>(), ["max.partition.replicas.per.broker=42"]);
        Assert.Equal(42, set.MaxPartitionReplicasPerBroker);
    }
}
