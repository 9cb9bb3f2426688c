using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Rill.Config;
using Rill.Server.Observability;
using Rill.Storage;
using Rill.TestKit;

namespace Rill.Server.Tests.Observability;

/// <summary>How the admin listener starts and stops with the node, and what readiness says around that.</summary>
public sealed class AdminListenerTests
{
    [Fact]
    public async Task Readiness_Is503WithAReason_UntilReady_AndFromShutdown_WhileLivenessStays200()
    {
        using var data = new TempDirectory();
        using var logs = new LogManager([data.Path], TimeProvider.System, NullLoggerFactory.Instance);
        using var meter = new Meter("Rill.Tests." + Guid.NewGuid().ToString("N"));
        using var exporter = new PrometheusExporter([meter], NullLogger.Instance);
        var health = new NodeHealth(logs);
        await using var admin = await AdminServer.StartAsync(
            new IPEndPoint(IPAddress.Loopback, 0), exporter, _ => Task.CompletedTask, health, TimeProvider.System, NullLoggerFactory.Instance,
            CancellationToken.None);
        using var http = new HttpClient();

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "not ready: starting\n"), await GetAsync(http, admin.EndPoint, "/health/ready"));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "not ready: starting\n"), await GetAsync(http, admin.EndPoint, "/health"));
        Assert.Equal((HttpStatusCode.OK, "live\n"), await GetAsync(http, admin.EndPoint, "/health/live"));
        health.MarkReady();
        Assert.Equal((HttpStatusCode.OK, "ready\n"), await GetAsync(http, admin.EndPoint, "/health/ready"));
        health.MarkStopping();
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "not ready: shutting down\n"), await GetAsync(http, admin.EndPoint, "/health/ready"));
        Assert.Equal((HttpStatusCode.OK, "live\n"), await GetAsync(http, admin.EndPoint, "/health/live"));
    }

    [Fact]
    public async Task AScrapeThatFails_Answers500WithTheReason_AndTheEndpointKeepsServing()
    {
        using var data = new TempDirectory();
        using var logs = new LogManager([data.Path], TimeProvider.System, NullLoggerFactory.Instance);
        using var meter = new Meter("Rill.Tests." + Guid.NewGuid().ToString("N"));
        using var exporter = new PrometheusExporter([meter], NullLogger.Instance);
        await using var admin = await AdminServer.StartAsync(
            new IPEndPoint(IPAddress.Loopback, 0), exporter, _ => throw new InvalidOperationException("broken on purpose"), new NodeHealth(logs),
            TimeProvider.System, NullLoggerFactory.Instance, CancellationToken.None);
        using var http = new HttpClient();

        Assert.Equal((HttpStatusCode.InternalServerError, "failed: broken on purpose\n"), await GetAsync(http, admin.EndPoint, "/metrics"));
        Assert.Equal((HttpStatusCode.OK, "live\n"), await GetAsync(http, admin.EndPoint, "/health/live"));
    }

    [Fact]
    public async Task StoppingTheNode_ClosesTheAdminEndpoint()
    {
        var node = await RillTestNode.StartAsync("admin.listener=127.0.0.1:0");
        var admin = node.Node.AdminEndpoint!;
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, admin, "/health/ready")).Status);

        await node.DisposeAsync();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri($"http://{admin}/health/live"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AConfiguredAdminListenerThatIsTaken_FailsTheStart()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        using var data = new TempDirectory();

        await Assert.ThrowsAsync<IOException>(() => RillTestNode.StartAsync(data, ownsData: false, $"admin.listener=127.0.0.1:{port}"));
    }

    [Fact]
    public async Task TheDefaultAdminListenerTaken_LeavesTheNodeServingKafkaWithoutIt()
    {
        // Hold 9644 ourselves; if something else already holds it, the port is just as taken.
        using var taken = new TcpListener(IPAddress.Loopback, 9644);
        try
        {
            taken.Start();
        }
        catch (SocketException)
        {
            // Held elsewhere: the precondition holds all the same.
        }

        using var data = new TempDirectory();
        var config = ServerConfig.Load(null, new Dictionary<string, string>(), ["listeners=PLAINTEXT://127.0.0.1:0", $"log.dirs={data.Path}"]);
        await using var node = await new RillNodeBuilder(config).StartAsync(TestContext.Current.CancellationToken);
        Assert.Null(node.AdminEndpoint);
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.BoundListeners[0].Port);
        await ProduceFetchTests.CreateTopicAsync(client, "without-admin");
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient http, IPEndPoint admin, string path)
    {
        using var response = await http.GetAsync(new Uri($"http://{admin}{path}"), TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
