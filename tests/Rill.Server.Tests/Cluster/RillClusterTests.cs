using Rill.Client;
using Rill.Protocol.Messages;
using Rill.TestKit;
using Rill.TestKit.Network;

namespace Rill.Server.Tests.Cluster;

/// <summary>
/// Three combined nodes in this process on an in-memory network form one cluster: one metadata quorum, one cluster
/// id, every broker known to every node; the network's fault hooks drop frames and cut links.
/// </summary>
public sealed class RillClusterTests : IAsyncLifetime
{
    private const short MetadataVersion = 12;

    private RillCluster _cluster = null!;

    public async ValueTask InitializeAsync() => _cluster = await RillCluster.StartAsync(3);

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task ThreeNodes_FormOneCluster_AndEachListsEveryBroker()
    {
        Assert.Equal([1, 2, 3], _cluster.NodeIds.Order());
        Assert.Single(_cluster.NodeIds.Select(id => _cluster.Node(id).ClusterId).Distinct());
        var options = new KafkaConnectionOptions { Transport = _cluster.Network.TransportFor(RillCluster.ClientHost) };
        foreach (var id in _cluster.NodeIds)
        {
            var node = _cluster.Node(id);
            await Eventually.UntilAsync(
                () => node.Metadata.Image.Brokers.Values.Count(b => !b.Fenced) == 3, TimeSpan.FromSeconds(30), $"node {id} knows every broker unfenced");
            await using var connection = await KafkaConnection.ConnectAsync("127.0.0.1", node.BoundListeners[0].Port, options, TestContext.Current.CancellationToken);
            var response = await connection.SendAsync<MetadataRequest, MetadataResponse>(
                new MetadataRequest { Topics = [] }, MetadataVersion, TestContext.Current.CancellationToken);

            Assert.Equal([1, 2, 3], response.Brokers.Select(b => b.NodeId).Order());
            Assert.All(response.Brokers, b => Assert.Equal(_cluster.Node(b.NodeId).BoundListeners[0].Port, b.Port));
            Assert.Equal(node.ClusterId, response.ClusterId);
        }
    }

    [Fact]
    public async Task ATopicCreatedThroughAnyNode_ReachesEveryNode_AndSurvivesTheLossOfTheActiveController()
    {
        await using (var client = new RawKafkaClient(await _cluster.ConnectAsync(3)))
        {
            var created = await client.RoundTripAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, CreateTopic("everywhere"));
            Assert.Equal(0, Assert.Single(created.Topics).ErrorCode);
        }

        await Eventually.UntilAsync(
            () => _cluster.NodeIds.All(id => _cluster.Node(id).Metadata.Image.Topics.ContainsKey("everywhere")),
            TimeSpan.FromSeconds(30),
            "every node has the topic");

        var leader = _cluster.ActiveController();
        await _cluster.StopNodeAsync(leader);
        var survivor = _cluster.NodeIds.First(id => id != leader);
        await using (var client = new RawKafkaClient(await _cluster.ConnectAsync(survivor)))
        {
            var created = await client.RoundTripAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, CreateTopic("after-failover"));
            Assert.Equal(0, Assert.Single(created.Topics).ErrorCode);
        }

        Assert.NotEqual(leader, _cluster.ActiveController());
        await _cluster.StartNodeAsync(leader);
        await Eventually.UntilAsync(
            () => _cluster.Node(leader).Metadata.Image.Topics.ContainsKey("after-failover"),
            TimeSpan.FromSeconds(30),
            "the restarted node catches up with what was decided without it");
    }

    [Fact]
    public async Task DroppedFrames_NeverReachTheNode_AndTrafficFlowsAgainOnceHealed()
    {
        await using var client = new RawKafkaClient(await _cluster.ConnectAsync(2));
        var node2 = RillCluster.HostOf(2);

        _cluster.Network.SetFault(RillCluster.ClientHost, node2, LinkFault.Drop);
        await client.SendAsync(ApiKey.Metadata, MetadataVersion, new MetadataRequest { Topics = [] }, correlationId: 1);
        await Eventually.UntilAsync(
            () => _cluster.Network.DroppedFrames(RillCluster.ClientHost, node2) == 1,
            TimeSpan.FromSeconds(10),
            "the request is dropped");
        _cluster.Network.Heal(RillCluster.ClientHost, node2);
        await client.SendAsync(ApiKey.Metadata, MetadataVersion, new MetadataRequest { Topics = [] }, correlationId: 2);

        // The first answer on the wire is the second request's: the first never arrived.
        var response = await client.ReceiveAsync<MetadataResponse>(ApiKey.Metadata, MetadataVersion, correlationId: 2);
        Assert.Contains(response.Brokers, broker => broker.NodeId == 2);
    }

    [Fact]
    public async Task DroppedAnswers_NeverReachTheClient_WhileRequestsStillArrive()
    {
        await using var client = new RawKafkaClient(await _cluster.ConnectAsync(3));
        var node3 = RillCluster.HostOf(3);

        _cluster.Network.SetFault(node3, RillCluster.ClientHost, LinkFault.Drop);
        await client.SendAsync(ApiKey.CreateTopics, 7, CreateTopic("made-while-answers-drop"), correlationId: 1);
        await Eventually.UntilAsync(
            () => _cluster.Network.DroppedFrames(node3, RillCluster.ClientHost) == 1,
            TimeSpan.FromSeconds(10),
            "the node answers and the answer is dropped");
        _cluster.Network.Heal(node3, RillCluster.ClientHost);
        await Eventually.UntilAsync(
            () => _cluster.Node(3).Metadata.Image.Topics.ContainsKey("made-while-answers-drop"),
            TimeSpan.FromSeconds(30),
            "node 3 applies the topic the controller committed");
        await client.SendAsync(ApiKey.Metadata, MetadataVersion, new MetadataRequest { Topics = null }, correlationId: 2);

        var response = await client.ReceiveAsync<MetadataResponse>(ApiKey.Metadata, MetadataVersion, correlationId: 2);
        Assert.Contains(response.Topics, topic => topic.Name == "made-while-answers-drop");
    }

    [Fact]
    public async Task Cut_ResetsOpenConnections_RefusesNewOnes_AndHealRestoresThem()
    {
        await using var client = new RawKafkaClient(await _cluster.ConnectAsync(1));
        var node1 = RillCluster.HostOf(1);

        _cluster.Network.Cut(RillCluster.ClientHost, node1);

        Assert.True(await client.IsClosedByBrokerAsync(TimeSpan.FromSeconds(10)));
        await Assert.ThrowsAsync<KafkaConnectionException>(async () => await _cluster.ConnectAsync(1));
        await using (var other = new RawKafkaClient(await _cluster.ConnectAsync(2)))
        {
            var unaffected = await other.RoundTripAsync<MetadataResponse>(ApiKey.Metadata, MetadataVersion, new MetadataRequest { Topics = [] });
            Assert.Contains(unaffected.Brokers, broker => broker.NodeId == 2);
        }

        _cluster.Network.Heal(RillCluster.ClientHost, node1);
        await using var again = new RawKafkaClient(await _cluster.ConnectAsync(1));
        var response = await again.RoundTripAsync<MetadataResponse>(ApiKey.Metadata, MetadataVersion, new MetadataRequest { Topics = [] });
        Assert.Contains(response.Brokers, broker => broker.NodeId == 1);
    }

    [Fact]
    public async Task StoppedNode_RefusesConnections_AndServesItsDataAfterARestart()
    {
        await using (var client = new RawKafkaClient(await _cluster.ConnectAsync(2)))
        {
            await client.SendAsync(ApiKey.CreateTopics, 7, CreateTopic("survives-restart"), correlationId: 1);
            var created = await client.ReceiveAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, correlationId: 1);
            Assert.Equal(0, Assert.Single(created.Topics).ErrorCode);
        }

        var port = _cluster.Node(2).BoundListeners[0].Port;
        await _cluster.StopNodeAsync(2);
        await Assert.ThrowsAsync<KafkaConnectionException>(
            async () => await _cluster.Network.ConnectAsync(RillCluster.ClientHost, "127.0.0.1", port, TestContext.Current.CancellationToken));

        await _cluster.StartNodeAsync(2);
        Assert.True(_cluster.Node(2).Metadata.Image.Topics.ContainsKey("survives-restart"));
    }

    private static CreateTopicsRequest CreateTopic(string name) => new()
    {
        Topics = [new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = 1, ReplicationFactor = 1 }],
        TimeoutMs = 10_000,
    };
}
