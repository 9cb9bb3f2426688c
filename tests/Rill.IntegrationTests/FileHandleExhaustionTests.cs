using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Rill.TestKit;

namespace Rill.IntegrationTests;

/// <summary>
/// A broker process under a low open-file limit whose handles run out while it creates a topic's logs (taken by
/// connections here, so no up-front partition limit can foresee it): only the partitions without a log fail, with
/// KAFKA_STORAGE_ERROR; the log dir stays online, /health and new connections keep working, the failed partitions
/// are created once handles are free, and a restart serves everything.
/// </summary>
public sealed class FileHandleExhaustionTests
{
    private const int OpenFileLimit = 1024;

    // The broker keeps an eighth of its handles (at least 64) for connections and the like (Rill.Storage's FileHandleReserve).
    private const int Reserve = OpenFileLimit / 8;

    // Handles left for logs once the connections are held: enough for some of the topic's partitions, not all.
    private const int HandlesLeftForLogs = 45;

    private const int Partitions = 40;

    [Fact]
    public async Task HandlesRunOutDuringCreateTopics_OnlyThosePartitionsFail_AndTheBrokerKeepsServing()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "needs ulimit and /proc");
        KafkaClients.EnsureNativeLibrary();
        var cancellation = TestContext.Current.CancellationToken;
        using var data = new TempDirectory();
        var port = RillProcess.FreePort();
        var adminPort = RillProcess.FreePort();
        string[] overrides = [$"admin.listener=127.0.0.1:{adminPort}"];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var failed = new List<int>();
        await using (var broker = await RillProcess.StartAsync(data.Path, port, OpenFileLimit, overrides))
        {
            using var admin = KafkaClients.Admin(broker.BootstrapServers);
            await admin.CreateTopicsAsync([new TopicSpecification { Name = "small", NumPartitions = 1, ReplicationFactor = 1 }]);
            using var producer = KafkaClients.Producer<Null, string>(broker.BootstrapServers, c =>
            {
                c.MessageSendMaxRetries = 0;
                c.MessageTimeoutMs = 5_000;
            });
            Assert.Equal(0, (await producer.ProduceAsync("small", new Message<Null, string> { Value = "before" }, cancellation)).Offset.Value);

            var held = await HoldConnectionsAsync(broker, OpenFileLimit - Reserve - HandlesLeftForLogs, extra: 0);
            await admin.CreateTopicsAsync([new TopicSpecification { Name = "big", NumPartitions = Partitions, ReplicationFactor = 1 }]);

            for (var partition = 0; partition < Partitions; partition++)
            {
                var code = await ProduceAsync(producer, partition);
                Assert.True(code is ErrorCode.NoError or ErrorCode.KafkaStorageError, $"big-{partition}: {code}");
                if (code == ErrorCode.KafkaStorageError)
                {
                    failed.Add(partition);
                }
            }

            Assert.InRange(failed.Count, 1, Partitions - 1);
            Assert.Equal(Partitions - failed.Count, Directory.GetDirectories(data.Path, "big-*").Length);
            Assert.Equal(1, (await producer.ProduceAsync("small", new Message<Null, string> { Value = "during" }, cancellation)).Offset.Value);
            // The connections are still held: the reserve keeps /health (a new connection) answering, and the log dir is online.
            Assert.Equal("ready", await HealthAsync(http, adminPort));

            // Past the reserve: every handle taken, the broker's accept fails with EMFILE (the last connections wait in
            // the backlog). That must not stop its listeners for good: once the connections go, both accept again.
            held.AddRange(await HoldConnectionsAsync(broker, OpenFileLimit - 1, extra: 20));
            held.ForEach(c => c.Dispose());
            await UntilReadyAsync(http, adminPort, "/health to answer once the connections are gone");
            using (var newClient = KafkaClients.Admin(broker.BootstrapServers))
            {
                Assert.Single((await newClient.DescribeClusterAsync()).Nodes);
            }

            var remaining = new List<int>(failed);
            await Eventually.UntilAsync(
                async () =>
                {
                    foreach (var partition in remaining.ToArray())
                    {
                        if (await ProduceAsync(producer, partition) == ErrorCode.NoError)
                        {
                            remaining.Remove(partition);
                        }
                    }

                    return remaining.Count == 0;
                },
                TimeSpan.FromSeconds(20),
                "the partitions that had no log to be created once handles are free");
            Assert.Equal(Partitions, Directory.GetDirectories(data.Path, "big-*").Length);
            Assert.Equal(0, await broker.StopAsync());
        }

        await using (var broker = await RillProcess.StartAsync(data.Path, port, OpenFileLimit, overrides))
        {
            // The Kafka listener is up; the admin endpoint follows it.
            await UntilReadyAsync(http, adminPort, "the restarted broker's /health to answer ready");
            Assert.Equal(["before", "during"], TopicHelper.ReadPartition<Null, string>(broker.BootstrapServers, "small", 0, Offset.Beginning).Select(r => r.Message.Value));
            var bigPartition = TopicHelper.ReadPartition<Null, string>(broker.BootstrapServers, "big", failed[0], Offset.Beginning);
            Assert.Equal([$"to {failed[0]}"], bigPartition.Select(r => r.Message.Value));
        }
    }

    /// <summary>Opens connections to the broker until it holds <paramref name="openFiles"/> descriptors, and <paramref name="extra"/> more.</summary>
    private static async Task<List<TcpClient>> HoldConnectionsAsync(RillProcess broker, int openFiles, int extra)
    {
        var held = new List<TcpClient>();
        var missing = openFiles - OpenFiles(broker.ProcessId) + extra;
        for (var i = 0; i < missing; i++)
        {
            var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, broker.Port);
            held.Add(client);
        }

        await Eventually.UntilAsync(() => OpenFiles(broker.ProcessId) >= openFiles, TimeSpan.FromSeconds(10), $"the broker to hold {openFiles} descriptors");
        return held;
    }

    private static int OpenFiles(int processId) => Directory.GetFileSystemEntries($"/proc/{processId}/fd").Length;

    private static async Task<ErrorCode> ProduceAsync(IProducer<Null, string> producer, int partition)
    {
        try
        {
            await producer.ProduceAsync(new TopicPartition("big", partition), new Message<Null, string> { Value = $"to {partition}" });
            return ErrorCode.NoError;
        }
        catch (ProduceException<Null, string> exception)
        {
            return exception.Error.Code;
        }
    }

    /// <summary>Waits up to 10 s for /health to answer ready; a refused connection is a no for now.</summary>
    private static Task UntilReadyAsync(HttpClient http, int adminPort, string description) =>
        Eventually.UntilAsync(
            async () =>
            {
                try
                {
                    return await HealthAsync(http, adminPort) == "ready";
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(10),
            description);

    private static async Task<string> HealthAsync(HttpClient http, int adminPort) =>
        (await http.GetStringAsync(new Uri($"http://127.0.0.1:{adminPort}/health"))).Trim();
}
