using Rill.TestKit;

namespace Rill.Server.Tests;

/// <summary>One broker shared by a test class; each test uses topics of its own.</summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    public RillTestNode Node { get; private set; } = null!;

    public string Host => "127.0.0.1";

    public int Port => Node.Port;

    public async ValueTask InitializeAsync() =>
        Node = await RillTestNode.StartAsync(
            "num.partitions=1",
            "connections.max.idle.ms=60000",
            "socket.request.max.bytes=1048576",
            "group.initial.rebalance.delay.ms=0");

    public async ValueTask DisposeAsync() => await Node.DisposeAsync();

    public Task<RawKafkaClient> ConnectAsync() => RawKafkaClient.ConnectAsync(Host, Port);
}
