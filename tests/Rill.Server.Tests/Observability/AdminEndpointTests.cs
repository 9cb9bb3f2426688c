using System.Buffers.Binary;
using System.Net;
using Rill.Common;
using Rill.Protocol.Messages;
using Rill.TestKit;

namespace Rill.Server.Tests.Observability;

/// <summary>
/// The admin endpoint of a running node: health answers, and counters and gauges that move by exactly what the
/// Kafka requests sent and received. Tests in this class run one at a time against a node nothing else uses, so
/// deltas of per-API counters are exact.
/// </summary>
public sealed class AdminEndpointTests : IClassFixture<AdminNodeFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly AdminNodeFixture _node;

    public AdminEndpointTests(AdminNodeFixture node)
    {
        _node = node;
    }

    [Fact]
    public async Task Health_LiveAndReadyAre200_UnknownPathIs404_PostIs405()
    {
        Assert.NotEqual(0, _node.Admin.Port);
        Assert.Equal((HttpStatusCode.OK, "live\n"), await GetAsync("/health/live"));
        Assert.Equal((HttpStatusCode.OK, "ready\n"), await GetAsync("/health/ready"));
        Assert.Equal((HttpStatusCode.OK, "ready\n"), await GetAsync("/health"));
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("/nothing-here")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("/metrics/")).Status);

        using var post = await _node.Http.PostAsync(_node.Url("/metrics"), new StringContent(string.Empty), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(["GET", "HEAD"], post.Content.Headers.Allow);

        using var head = await _node.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, _node.Url("/health/live")), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ProduceAndFetch_MoveTheTopicCounters_ByExactlyWhatWasSentAndServed()
    {
        await using var client = await _node.ConnectAsync();
        await ProduceFetchTests.CreateTopicAsync(client, "m-traffic");
        var before = await _node.ScrapeAsync();

        var first = ProduceFetchTests.Batch(3);
        var second = ProduceFetchTests.Batch(2);
        Assert.Equal(0, await ProduceAsync(client, "m-traffic", first));
        Assert.Equal(3, await ProduceAsync(client, "m-traffic", second));
        var fetched = await FetchAsync(client, "m-traffic", offset: 0);
        var after = await _node.ScrapeAsync();

        var sent = first.Length + second.Length;
        Assert.Equal(sent, fetched.Length);
        const string Topic = "{topic=\"m-traffic\"}";
        const string Partition = "{topic=\"m-traffic\",partition=\"0\"}";
        Assert.Equal(5, after["rill_produce_records_total" + Topic]);
        Assert.Equal(sent, after["rill_produce_bytes_total" + Topic]);
        Assert.Equal(5, after["rill_fetch_records_total" + Topic]);
        Assert.Equal(sent, after["rill_fetch_bytes_total" + Topic]);
        Assert.Equal(5, after["rill_log_end_offset" + Partition]);
        Assert.Equal(0, after["rill_log_start_offset" + Partition]);
        Assert.True(after.Has("rill_log_start_offset" + Partition));
        Assert.Equal(sent, after["rill_log_size_bytes" + Partition]);
        Assert.Equal(_node.Node.Node.Replicas.PartitionCount, after["rill_partitions"]);

        Assert.Equal(2, Delta(before, after, "rill_requests_total{api=\"Produce\"}"));
        Assert.Equal(1, Delta(before, after, "rill_requests_total{api=\"Fetch\"}"));
        Assert.Equal(2, Delta(before, after, "rill_request_duration_seconds_count{api=\"Produce\"}"));
        Assert.Equal(1, Delta(before, after, "rill_request_duration_seconds_count{api=\"Fetch\"}"));
        Assert.Equal(0, Delta(before, after, "rill_request_errors_total{api=\"Produce\"}"));
        Assert.Equal(
            after["rill_request_duration_seconds_count{api=\"Produce\"}"],
            after["rill_request_duration_seconds_bucket{api=\"Produce\",le=\"+Inf\"}"]);
        Assert.True(after["rill_request_duration_seconds_sum{api=\"Produce\"}"] > 0);
    }

    [Fact]
    public async Task ConsumerGroupLag_IsTheHighWatermarkMinusTheCommittedOffset()
    {
        await using var client = await _node.ConnectAsync();
        await ProduceFetchTests.CreateTopicAsync(client, "m-lag");
        await ProduceAsync(client, "m-lag", ProduceFetchTests.Batch(5));
        await ProduceAsync(client, "m-lag", ProduceFetchTests.Batch(2));
        await client.RoundTripAsync<FindCoordinatorResponse>(ApiKey.FindCoordinator, 4, new FindCoordinatorRequest { CoordinatorKeys = ["m-group"] });
        await Eventually.UntilAsync(async () => await CommitAsync(client, "m-group", "m-lag", 3) == ErrorCode.None, Timeout, "the commit is accepted");

        const string Series = "{group=\"m-group\",topic=\"m-lag\",partition=\"0\"}";
        var committed = await _node.ScrapeAsync();
        Assert.Equal(3, committed["rill_consumer_group_committed_offset" + Series]);
        Assert.Equal(7 - 3, committed["rill_consumer_group_lag" + Series]);

        await ProduceAsync(client, "m-lag", ProduceFetchTests.Batch(1));
        Assert.Equal(8 - 3, (await _node.ScrapeAsync())["rill_consumer_group_lag" + Series]);

        Assert.Equal(ErrorCode.None, await CommitAsync(client, "m-group", "m-lag", 8));
        var caughtUp = await _node.ScrapeAsync();
        Assert.Equal(8, caughtUp["rill_consumer_group_committed_offset" + Series]);
        Assert.Equal(0, caughtUp["rill_consumer_group_lag" + Series]);
        Assert.True(caughtUp.Has("rill_consumer_group_lag" + Series));
    }

    [Fact]
    public async Task Connections_AreCountedPerListener_WhileOpenAndInTotal()
    {
        const string Active = "rill_connections_active{listener=\"PLAINTEXT\"}";
        const string Accepted = "rill_connections_total{listener=\"PLAINTEXT\"}";
        // Connections of earlier tests on this node may still be closing: start once none is open.
        await Eventually.UntilAsync(async () => (await _node.ScrapeAsync())[Active] == 0, Timeout, "earlier connections closed");
        var before = await _node.ScrapeAsync();
        var first = await _node.ConnectAsync();
        await using (var second = await _node.ConnectAsync())
        {
            await Eventually.UntilAsync(
                async () => Delta(before, await _node.ScrapeAsync(), Active) == 2, Timeout, "two more active connections");
            Assert.Equal(2, Delta(before, await _node.ScrapeAsync(), Accepted));
            await first.DisposeAsync();
            await Eventually.UntilAsync(
                async () => Delta(before, await _node.ScrapeAsync(), Active) == 1, Timeout, "one connection closed");
        }

        await Eventually.UntilAsync(async () => Delta(before, await _node.ScrapeAsync(), Active) == 0, Timeout, "both closed");
        Assert.Equal(2, Delta(before, await _node.ScrapeAsync(), Accepted));
    }

    [Fact]
    public async Task RequestsThatCloseTheConnection_AreCountedAsErrors_ByApiOrUnknown()
    {
        var before = await _node.ScrapeAsync();

        var unknownApi = RawKafkaClient.Encode(ApiKey.Metadata, 12, 1, "c", new MetadataRequest());
        BinaryPrimitives.WriteInt16BigEndian(unknownApi.AsSpan(4), 999);
        await SendAndAwaitCloseAsync(unknownApi);

        var unsupportedVersion = RawKafkaClient.Encode(ApiKey.Metadata, 12, 2, "c", new MetadataRequest());
        BinaryPrimitives.WriteInt16BigEndian(unsupportedVersion.AsSpan(6), 99);
        await SendAndAwaitCloseAsync(unsupportedVersion);

        var after = await _node.ScrapeAsync();
        Assert.Equal(1, Delta(before, after, "rill_request_errors_total{api=\"unknown\"}"));
        Assert.Equal(1, Delta(before, after, "rill_request_errors_total{api=\"Metadata\"}"));
        Assert.Equal(1, Delta(before, after, "rill_requests_total{api=\"Metadata\"}"));
        Assert.Equal(0, Delta(before, after, "rill_request_duration_seconds_count{api=\"Metadata\"}"));
    }

    [Fact]
    public async Task EveryMetric_IsExported_WithItsPrometheusType()
    {
        await using (var client = await _node.ConnectAsync())
        {
            await ProduceFetchTests.CreateTopicAsync(client, "m-types");
            await ProduceAsync(client, "m-types", ProduceFetchTests.Batch(1));
        }

        var scrape = await _node.ScrapeAsync();
        var expected = new Dictionary<string, string>
        {
            ["rill_requests_total"] = "counter",
            ["rill_request_duration_seconds"] = "histogram",
            ["rill_request_errors_total"] = "counter",
            ["rill_connections_active"] = "gauge",
            ["rill_connections_total"] = "counter",
            ["rill_produce_bytes_total"] = "counter",
            ["rill_produce_records_total"] = "counter",
            ["rill_fetch_bytes_total"] = "counter",
            ["rill_fetch_records_total"] = "counter",
            ["rill_partitions"] = "gauge",
            ["rill_log_size_bytes"] = "gauge",
            ["rill_log_end_offset"] = "gauge",
            ["rill_log_start_offset"] = "gauge",
            ["rill_consumer_group_committed_offset"] = "gauge",
            ["rill_consumer_group_lag"] = "gauge",
            ["process_cpu_seconds_total"] = "counter",
            ["process_resident_memory_bytes"] = "gauge",
            ["process_start_time_seconds"] = "gauge",
            ["dotnet_gc_heap_bytes"] = "gauge",
            ["dotnet_gc_collections_total"] = "counter",
            ["dotnet_threadpool_threads"] = "gauge",
            ["dotnet_threadpool_queue_length"] = "gauge",
        };
        Assert.Equal(expected.OrderBy(e => e.Key), scrape.Types.OrderBy(e => e.Key));
        Assert.All(scrape.Types.Where(t => t.Value == "counter"), t => Assert.EndsWith("_total", t.Key, StringComparison.Ordinal));
        Assert.All(scrape.Types.Where(t => t.Value != "counter"), t => Assert.False(t.Key.EndsWith("_total", StringComparison.Ordinal), t.Key));
        Assert.True(scrape["process_resident_memory_bytes"] > 0);
        Assert.True(scrape["process_cpu_seconds_total"] > 0);
        Assert.True(scrape.Has("dotnet_gc_collections_total{generation=\"0\"}"));
        Assert.Contains("# HELP rill_produce_records_total Records appended by producers, by topic.\n", scrape.Text, StringComparison.Ordinal);
    }

    private static double Delta(MetricsScrape before, MetricsScrape after, string series) => after[series] - before[series];

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
    {
        using var response = await _node.Http.GetAsync(_node.Url(path), TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private async Task SendAndAwaitCloseAsync(byte[] request)
    {
        await using var client = await _node.ConnectAsync();
        await client.SendRawAsync(request);
        Assert.True(await client.IsClosedByBrokerAsync(Timeout), "the broker should have closed the connection");
    }

    private static async Task<long> ProduceAsync(RawKafkaClient client, string topic, byte[] batch)
    {
        var response = await client.RoundTripAsync<ProduceResponse>(ApiKey.Produce, 9, ProduceFetchTests.ProduceTo(topic, 0, batch));
        var partition = response.Responses[0].PartitionResponses[0];
        Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
        return partition.BaseOffset;
    }

    private static async Task<ReadOnlyMemory<byte>> FetchAsync(RawKafkaClient client, string topic, long offset)
    {
        var response = await client.RoundTripAsync<FetchResponse>(ApiKey.Fetch, 12, new FetchRequest
        {
            MaxWaitMs = 0,
            MinBytes = 1,
            MaxBytes = 1 << 20,
            SessionEpoch = -1,
            Topics =
            [
                new FetchRequest.FetchTopic
                {
                    Topic = topic,
                    Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = offset, PartitionMaxBytes = 1 << 20 }],
                },
            ],
        });
        var partition = response.Responses[0].Partitions[0];
        Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
        return partition.Records!.Value;
    }

    /// <summary>A commit outside group management (generation -1), as a "simple" consumer makes it.</summary>
    private static async Task<ErrorCode> CommitAsync(RawKafkaClient client, string group, string topic, long offset)
    {
        var response = await client.RoundTripAsync<OffsetCommitResponse>(ApiKey.OffsetCommit, 8, new OffsetCommitRequest
        {
            GroupId = group,
            GenerationIdOrMemberEpoch = -1,
            MemberId = string.Empty,
            Topics =
            [
                new OffsetCommitRequest.OffsetCommitRequestTopic
                {
                    Name = topic,
                    Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = offset }],
                },
            ],
        });
        return (ErrorCode)response.Topics[0].Partitions[0].ErrorCode;
    }
}
