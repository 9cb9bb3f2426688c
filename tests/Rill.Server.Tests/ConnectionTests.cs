using Rill.Common;
using Rill.Protocol.Messages;
using Rill.TestKit;

namespace Rill.Server.Tests;

/// <summary>Connection limits: idle connections are closed; many connections are served at once.</summary>
public sealed class ConnectionTests
{
    [Fact]
    public async Task IdleConnection_IsClosedAfterConnectionsMaxIdleMs()
    {
        await using var node = await RillTestNode.StartAsync("connections.max.idle.ms=300");
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);
        var response = await client.RoundTripAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 0, new ApiVersionsRequest());
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.True(await client.IsClosedByBrokerAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task AThousandConnections_AreAllAnswered()
    {
        await using var node = await RillTestNode.StartAsync();
        var clients = new List<RawKafkaClient>();
        try
        {
            for (var i = 0; i < 1_000; i++)
            {
                clients.Add(await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port));
            }

            var pending = clients.Select(c => c.SendAsync(ApiKey.Metadata, 1, new MetadataRequest { Topics = [] })).ToList();
            var ids = await Task.WhenAll(pending);
            for (var i = 0; i < clients.Count; i++)
            {
                var response = await clients[i].ReceiveAsync<MetadataResponse>(ApiKey.Metadata, 1, ids[i]);
                Assert.Single(response.Brokers);
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
