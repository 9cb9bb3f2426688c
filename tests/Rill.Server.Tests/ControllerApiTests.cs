using Rill.Protocol.Messages;
using Rill.TestKit;

namespace Rill.Server.Tests;

/// <summary>
/// The controller's cluster decisions seen from a single node's Kafka listener: the broker's own registration, and
/// ElectLeaders, AlterPartitionReassignments and ListPartitionReassignments at the byte level.
/// </summary>
public sealed class ControllerApiTests
{
    [Fact]
    public async Task TheBroker_StartsUnfenced_WithItsRack_AndAfterARestartLeadsItsPartitionsAgain()
    {
        await using var node = await RillTestNode.StartAsync("broker.rack=rack-1");
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);
        var metadata = await client.RoundTripAsync<MetadataResponse>(ApiKey.Metadata, 12, new MetadataRequest { Topics = [] });
        var broker = Assert.Single(metadata.Brokers);
        Assert.Equal((1, "rack-1"), (broker.NodeId, broker.Rack));

        var registration = node.Node.Metadata.Image.Brokers[1];
        Assert.Equal((false, false, "rack-1"), (registration.Fenced, registration.InControlledShutdown, registration.Rack));
        Assert.Equal(BrokerLifecycleState.Running, node.Node.Lifecycle.State);
        Assert.Equal(registration.BrokerEpoch, node.Node.Lifecycle.BrokerEpoch);
        await ProduceFetchTests.CreateTopicAsync(client, "kept");

        // The stop moved the leadership away (controlled shutdown) and the start brought it back with a new epoch.
        await node.RestartAsync();
        var restarted = node.Node.Metadata.Image;
        Assert.True(restarted.Brokers[1].BrokerEpoch > registration.BrokerEpoch);
        Assert.False(restarted.Brokers[1].Fenced);
        var partition = restarted.Topics["kept"].Partitions[0];
        Assert.Equal((1, 2), (partition.Leader, partition.LeaderEpoch));
        Assert.Equal([1], partition.Isr);
    }
}
