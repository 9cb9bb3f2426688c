using System.Net;
using Rill.TestKit;

namespace Rill.Server.Tests.Observability;

/// <summary>A node with its admin endpoint on a port from the OS, and an HTTP client for it; nothing else talks to it.</summary>
public sealed class AdminNodeFixture : IAsyncLifetime
{
    public RillTestNode Node { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public IPEndPoint Admin => Node.Node.AdminEndpoint ?? throw new InvalidOperationException("The admin endpoint did not start.");

    public async ValueTask InitializeAsync() =>
        Node = await RillTestNode.StartAsync(
            "admin.listener=127.0.0.1:0",
            "offsets.topic.num.partitions=1",
            "group.initial.rebalance.delay.ms=0");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Node.DisposeAsync();
    }

    public Task<RawKafkaClient> ConnectAsync() => RawKafkaClient.ConnectAsync("127.0.0.1", Node.Port);

    public Task<MetricsScrape> ScrapeAsync() => MetricsScrape.GetAsync(Http, Admin);

    public Uri Url(string path) => new($"http://{Admin}{path}");
}
