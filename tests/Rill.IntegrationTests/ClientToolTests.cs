using System.Text.Json;
using Rill.TestKit;

namespace Rill.IntegrationTests;

/// <summary>Debian's kcat (librdkafka 2.0.2), kafka-python 2.0.2 and confluent-kafka-python 1.7.0 as real processes.</summary>
public sealed class ClientToolTests : IAsyncLifetime
{
    private const string Kcat = "kcat";
    private const string Python = "/usr/bin/python3";
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(60);

    private RillTestNode _node = null!;

    public async ValueTask InitializeAsync() => _node = await RillTestNode.StartAsync("num.partitions=1");

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Kcat_ListsMetadata_ProducesKeyedLines_AndConsumesThemBack()
    {
        ExternalTool.Require(Kcat);
        var lines = string.Join('\n', Enumerable.Range(0, 50).Select(i => $"user-{i % 5}:order-{i}")) + "\n";
        var produce = await ExternalTool.RunAsync(Kcat, ["-b", _node.BootstrapServers, "-t", "kcat-orders", "-K:", "-P", "-z", "lz4"], lines, ToolTimeout);
        Assert.True(produce.ExitCode == 0, produce.StandardError);

        var list = await ExternalTool.RunAsync(Kcat, ["-b", _node.BootstrapServers, "-L"], null, ToolTimeout);
        Assert.True(list.ExitCode == 0, list.StandardError);
        Assert.Contains($"broker 1 at 127.0.0.1:{_node.Port}", list.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("topic \"kcat-orders\" with 1 partitions", list.StandardOutput, StringComparison.Ordinal);

        var consume = await ExternalTool.RunAsync(
            Kcat,
            ["-b", _node.BootstrapServers, "-t", "kcat-orders", "-C", "-e", "-o", "beginning", "-f", "%o %k:%s\n"],
            null,
            ToolTimeout);
        Assert.True(consume.ExitCode == 0, consume.StandardError);
        var expected = Enumerable.Range(0, 50).Select(i => $"{i} user-{i % 5}:order-{i}");
        Assert.Equal(expected, consume.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task KafkaPython_ProducesGzipWithAcksAll_AndReadsEveryRecordBack()
    {
        ExternalTool.Require(Python, "kafka");
        await RunPythonRoundTripAsync("kafka_python_roundtrip.py", "kafka-python-orders");
    }

    [Fact]
    public async Task ConfluentKafkaPython_ProducesSnappyWithAcksAll_AndReadsEveryRecordBack()
    {
        ExternalTool.Require(Python, "confluent_kafka");
        await RunPythonRoundTripAsync("confluent_kafka_roundtrip.py", "confluent-python-orders");
    }

    private async Task RunPythonRoundTripAsync(string script, string topic)
    {
        const int Count = 200;
        var run = await ExternalTool.RunAsync(
            Python,
            [Path.Combine(AppContext.BaseDirectory, "Clients", script), _node.BootstrapServers, topic, Count.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            null,
            ToolTimeout);
        Assert.True(run.ExitCode == 0, $"{script} failed: {run.StandardError}");
        using var result = JsonDocument.Parse(run.StandardOutput);
        var acked = result.RootElement.GetProperty("acked").EnumerateArray().Select(e => e.GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i), acked);
        var read = result.RootElement.GetProperty("read").EnumerateArray().ToList();
        Assert.Equal(Count, read.Count);
        for (var i = 0; i < Count; i++)
        {
            Assert.Equal(i, read[i].GetProperty("offset").GetInt64());
            Assert.Equal($"user-{i % 10}", read[i].GetProperty("key").GetString());
            Assert.Equal($"order-{i}", read[i].GetProperty("value").GetString());
        }

        if (result.RootElement.TryGetProperty("errors", out var errors))
        {
            Assert.Empty(errors.EnumerateArray());
        }
    }
}
