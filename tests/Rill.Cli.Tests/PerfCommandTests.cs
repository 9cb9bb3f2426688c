using System.Text.Json;
using Rill.TestKit;

namespace Rill.Cli.Tests;

/// <summary>
/// <c>rill perf produce|consume|e2e</c> with both drivers against a node in this process: the broker holds exactly
/// what the report says was written, consumers read exactly that back, and the JSON report is complete and consistent.
/// </summary>
public sealed class PerfCommandTests : IAsyncLifetime
{
    private const int RecordSize = 50;

    private RillTestNode _node = null!;

    public async ValueTask InitializeAsync() => _node = await RillTestNode.StartAsync("group.initial.rebalance.delay.ms=0");

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Theory]
    [InlineData("confluent", "1", "none", "none")]
    [InlineData("confluent", "all", "lz4", "random")]
    [InlineData("confluent", "0", "none", "sequential")]
    [InlineData("native", "1", "none", "none")]
    [InlineData("native", "all", "zstd", "sequential")]
    [InlineData("native", "0", "gzip", "random")]
    public async Task Produce_WritesExactlyNRecords_AndReportsThem(string driver, string acks, string compression, string keys)
    {
        const int Records = 5_003;
        var topic = $"produce-{driver}-{acks}-{compression}";
        var run = await Run(
            "perf", "produce", topic, "--driver", driver, "--records", "5003", "--record-size", "50", "--acks", acks,
            "--compression", compression, "--keys", keys, "--key-count", "7", "--batch-size", "4096", "--create-partitions", "3", "--output", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var report = run.Json();
        Assert.Equal("produce", report.GetProperty("mode").GetString());
        Assert.Equal(driver, report.GetProperty("driver").GetString());
        Assert.Equal(topic, report.GetProperty("topic").GetString());
        Assert.Equal(3, report.GetProperty("partitions").GetInt32());
        Assert.Equal(acks, report.GetProperty("acks").GetString());
        Assert.Equal(RecordSize, report.GetProperty("recordSize").GetInt32());
        Assert.Equal(compression, report.GetProperty("compression").GetString());
        Assert.Equal(keys, report.GetProperty("keys").GetString());
        Assert.Equal(Records, report.GetProperty("records").GetInt64());
        Assert.Equal(0, report.GetProperty("failed").GetInt64());
        Assert.Equal((long)Records * RecordSize, report.GetProperty("bytes").GetInt64());
        Assert.Equal("values", report.GetProperty("bytesCounted").GetString());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("error").ValueKind);
        Assert.True(report.GetProperty("elapsedSeconds").GetDouble() > 0);
        Assert.True(report.GetProperty("recordsPerSecond").GetDouble() > 0);
        Assert.True(report.GetProperty("mibPerSecond").GetDouble() >= 0);
        if (driver == "native")
        {
            Assert.Equal(1, report.GetProperty("connections").GetInt32());
            Assert.Equal(16, report.GetProperty("inFlight").GetInt32());
            Assert.Equal(JsonValueKind.Null, report.GetProperty("producers").ValueKind);
        }
        else
        {
            Assert.Equal(1, report.GetProperty("producers").GetInt32());
            Assert.Equal(JsonValueKind.Null, report.GetProperty("connections").ValueKind);
        }

        var latency = report.GetProperty("latency");
        Assert.Equal(acks == "0" ? "send" : "send-to-ack", latency.GetProperty("measures").GetString());
        Assert.Equal(Records, latency.GetProperty("count").GetInt64());
        AssertOrdered(latency);

        Assert.Equal(Records, await EndOffsetsAsync(topic));
    }

    [Fact]
    public async Task Produce_SeveralProducersOrConnections_SplitTheRecordsExactly()
    {
        var confluent = await Run("perf", "produce", "split", "--records", "4001", "--record-size", "20", "--producers", "3", "--acks", "1", "--create-partitions", "4", "--output", "json");
        Assert.True(confluent.ExitCode == 0, confluent.ToString());
        Assert.Equal(3, confluent.Json().GetProperty("producers").GetInt32());
        Assert.Equal(4001, confluent.Json().GetProperty("records").GetInt64());

        var native = await Run("perf", "produce", "split", "--driver", "native", "--records", "3999", "--record-size", "20", "--connections", "3", "--in-flight", "2", "--output", "json");
        Assert.True(native.ExitCode == 0, native.ToString());
        Assert.Equal(3, native.Json().GetProperty("connections").GetInt32());
        Assert.Equal(3999, native.Json().GetProperty("records").GetInt64());

        Assert.Equal(8000, await EndOffsetsAsync("split"));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0")]
    public async Task Produce_WithSampledDeliveryReports_CountsWhatLandedAndSamplesLatency(string acks)
    {
        var topic = $"sampled-{acks}";
        var run = await Run(
            "perf", "produce", topic, "--records", "10007", "--record-size", "30", "--acks", acks, "--report-every", "64",
            "--producers", "2", "--create-partitions", "3", "--output", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var report = run.Json();
        Assert.Equal(64, report.GetProperty("reportEvery").GetInt32());
        Assert.Equal(10007, report.GetProperty("records").GetInt64());
        Assert.Equal(0, report.GetProperty("failed").GetInt64());
        Assert.Equal(10007L * 30, report.GetProperty("bytes").GetInt64());
        var latency = report.GetProperty("latency");
        // Each producer reports its records 0, 64, 128, ...: 5004 and 5003 records give 79 reports each.
        Assert.Equal(158, latency.GetProperty("count").GetInt64());
        AssertOrdered(latency);
        Assert.Equal(10007, await EndOffsetsAsync(topic));
    }

    [Fact]
    public async Task Produce_ForADuration_WritesWhatItReports()
    {
        var run = await Run("perf", "produce", "timed", "--driver", "native", "--duration", "300ms", "--throughput", "5000", "--create-partitions", "2", "--output", "json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var records = run.Json().GetProperty("records").GetInt64();
        Assert.True(records > 0);
        Assert.Equal(records, await EndOffsetsAsync("timed"));
    }

    [Theory]
    [InlineData("confluent")]
    [InlineData("native")]
    public async Task Consume_ReadsExactlyWhatTheTopicHolds_OrStopsAtN(string driver)
    {
        var topic = $"consume-{driver}";
        var produce = await Run("perf", "produce", topic, "--driver", "native", "--records", "7000", "--record-size", "50", "--batch-size", "2048", "--create-partitions", "4", "--output", "json");
        Assert.True(produce.ExitCode == 0, produce.ToString());

        var all = await Run("perf", "consume", topic, "--driver", driver, "--output", "json");
        Assert.True(all.ExitCode == 0, all.ToString());
        var report = all.Json();
        Assert.Equal("consume", report.GetProperty("mode").GetString());
        Assert.Equal(driver, report.GetProperty("driver").GetString());
        Assert.Equal(4, report.GetProperty("partitions").GetInt32());
        Assert.Equal(7000, report.GetProperty("records").GetInt64());
        Assert.Equal(0, report.GetProperty("failed").GetInt64());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("latency").ValueKind);
        if (driver == "native")
        {
            Assert.Equal("batches", report.GetProperty("bytesCounted").GetString());
            Assert.True(report.GetProperty("bytes").GetInt64() > 7000L * RecordSize);
        }
        else
        {
            Assert.Equal("keys-and-values", report.GetProperty("bytesCounted").GetString());
            Assert.Equal(7000L * RecordSize, report.GetProperty("bytes").GetInt64());
        }

        var some = await Run("perf", "consume", topic, "--driver", driver, "--records", "2500", "--output", "json");
        Assert.True(some.ExitCode == 0, some.ToString());
        Assert.Equal(2500, some.Json().GetProperty("records").GetInt64());
    }

    [Fact]
    public async Task Consume_SeveralConsumers_AssignedOrInAGroup_ReadEveryRecordOnce()
    {
        var produce = await Run("perf", "produce", "shared", "--records", "6000", "--record-size", "30", "--create-partitions", "3", "--output", "json");
        Assert.True(produce.ExitCode == 0, produce.ToString());

        var assigned = await Run("perf", "consume", "shared", "--consumers", "3", "--output", "json");
        Assert.True(assigned.ExitCode == 0, assigned.ToString());
        Assert.Equal(6000, assigned.Json().GetProperty("records").GetInt64());
        Assert.Equal(3, assigned.Json().GetProperty("consumers").GetInt32());

        var group = await Run("perf", "consume", "shared", "--group", "perf-group", "--consumers", "2", "--records", "6000", "--output", "json");
        Assert.True(group.ExitCode == 0, group.ToString());
        Assert.Equal(6000, group.Json().GetProperty("records").GetInt64());
        Assert.Equal("perf-group", group.Json().GetProperty("group").GetString());
    }

    [Fact]
    public async Task E2e_ReportsOneLatencyPerRecord()
    {
        var run = await Run("perf", "e2e", "latency", "--records", "2000", "--throughput", "4000", "--record-size", "64", "--create-partitions", "2", "--output", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var report = run.Json();
        Assert.Equal("e2e", report.GetProperty("mode").GetString());
        Assert.Equal("confluent", report.GetProperty("driver").GetString());
        Assert.Equal(2000, report.GetProperty("records").GetInt64());
        Assert.Equal(2000L * 64, report.GetProperty("bytes").GetInt64());
        Assert.Equal(0, report.GetProperty("lingerMs").GetInt32());
        var latency = report.GetProperty("latency");
        Assert.Equal("produce-to-consume", latency.GetProperty("measures").GetString());
        Assert.Equal(2000, latency.GetProperty("count").GetInt64());
        AssertOrdered(latency);

        // The warm-up record is written too, and read back by nobody's count.
        Assert.Equal(2001, await EndOffsetsAsync("latency"));
    }

    [Fact]
    public async Task Table_StartsWithASummaryLine_AndNamesTheDriver()
    {
        var run = await Run("perf", "produce", "table", "--driver", "native", "--records", "1000", "--create-partitions", "1");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("perf produce table (driver native): 1,000 records in ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("latency p99.9 (ms)", run.Stdout, StringComparison.Ordinal);
        Assert.Empty(run.Stderr);
    }

    private static void AssertOrdered(JsonElement latency)
    {
        var p50 = latency.GetProperty("p50Ms").GetDouble();
        var p99 = latency.GetProperty("p99Ms").GetDouble();
        var p999 = latency.GetProperty("p999Ms").GetDouble();
        var max = latency.GetProperty("maxMs").GetDouble();
        var mean = latency.GetProperty("meanMs").GetDouble();
        Assert.True(p50 >= 0 && p50 <= p99 && p99 <= p999 && p999 <= max, latency.ToString());
        Assert.True(mean >= 0 && mean <= max, latency.ToString());
    }

    private Task<CliResult> Run(params string[] args) => Cli.RunAsync(_node.BootstrapServers, args);

    private async Task<long> EndOffsetsAsync(string topic)
    {
        var describe = await Run("topic", "describe", topic, "--output", "json");
        Assert.True(describe.ExitCode == 0, describe.ToString());
        return describe.Json().GetProperty("partitions").EnumerateArray().Sum(p => p.GetProperty("latestOffset").GetInt64());
    }
}
