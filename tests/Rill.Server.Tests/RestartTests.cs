using Rill.Common;
using Rill.Protocol.Messages;
using Rill.Storage;
using Rill.TestKit;

namespace Rill.Server.Tests;

/// <summary>What a restart must keep: topic configs applied to their logs, and no stray or metadata logs served as topics.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task TopicConfigs_ApplyAgainAfterARestart()
    {
        await using var node = await RillTestNode.StartAsync();
        await using (var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port))
        {
            var created = await client.RoundTripAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, new CreateTopicsRequest
            {
                Topics =
                [
                    new CreateTopicsRequest.CreatableTopic
                    {
                        Name = "append-time",
                        NumPartitions = 1,
                        ReplicationFactor = 1,
                        Configs = [new CreateTopicsRequest.CreatableTopicConfig { Name = "message.timestamp.type", Value = "LogAppendTime" }],
                    },
                ],
            });
            Assert.Equal((short)ErrorCode.None, created.Topics[0].ErrorCode);
        }

        await node.RestartAsync();

        await using var after = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);
        var produced = await after.RoundTripAsync<ProduceResponse>(ApiKey.Produce, 9, ProduceFetchTests.ProduceTo("append-time", 0, ProduceFetchTests.Batch(1, timestamp: 5)));
        var partition = produced.Responses[0].PartitionResponses[0];
        Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
        Assert.True(partition.LogAppendTimeMs > 5, $"LogAppendTime should be the broker's clock, was {partition.LogAppendTimeMs}");
    }

    [Fact]
    public async Task TheMetadataLog_IsNotOpenedAsATopicPartition()
    {
        await using var node = await RillTestNode.StartAsync();
        await node.RestartAsync();
        Assert.Equal(0, node.Node.Replicas.PartitionCount);
        var metadataDir = Path.Combine(node.DataDirectory, LogManager.MetadataLogDirectoryName);
        var files = Directory.GetFiles(metadataDir).Select(Path.GetFileName).ToList();
        Assert.Contains("quorum-state", files);
        Assert.Contains("00000000000000000000.log", files);
    }

    [Fact]
    public async Task AStrayLogLeftOnDisk_IsDeletedAtStart()
    {
        await using var node = await RillTestNode.StartAsync();
        await node.Node.StopAsync();
        var stray = Path.Combine(node.DataDirectory, "gone-0");
        Directory.CreateDirectory(stray);
        File.WriteAllBytes(Path.Combine(stray, "00000000000000000000.log"), []);
        await node.RestartAsync();
        Assert.False(Directory.Exists(stray));
    }

    // A threshold of one byte makes every committed batch due for a snapshot: the node writes them, and a restart
    // loads the latest one and the records after it, with every topic and its id as before.
    [Fact]
    public async Task MetadataSnapshots_AreWrittenPastTheThreshold_AndARestartLoadsThemWithEveryTopic()
    {
        await using var node = await RillTestNode.StartAsync("metadata.log.max.record.bytes.between.snapshots=1");
        var metadataDir = Path.Combine(node.DataDirectory, LogManager.MetadataLogDirectoryName);
        await using (var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port))
        {
            foreach (var name in new[] { "snap-a", "snap-b" })
            {
                var created = await client.RoundTripAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, new CreateTopicsRequest
                {
                    Topics = [new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = 2, ReplicationFactor = 1 }],
                });
                Assert.Equal((short)ErrorCode.None, created.Topics[0].ErrorCode);
            }
        }

        var before = node.Node.Metadata.Image.Topics.Values.ToDictionary(t => t.Name, t => (t.Id, t.Partitions.Length));
        var lastOffset = node.Node.Metadata.Image.Offset;
        await Eventually.UntilAsync(
            () => Directory.GetFiles(metadataDir, "*.checkpoint").Any(f => SnapshotOffset(f) > lastOffset - 1),
            TimeSpan.FromSeconds(10),
            $"a snapshot at or past the topics' records (offset {lastOffset})");

        await node.RestartAsync();
        var after = node.Node.Metadata.Image.Topics.Values.ToDictionary(t => t.Name, t => (t.Id, t.Partitions.Length));
        Assert.Equal(before.OrderBy(t => t.Key), after.OrderBy(t => t.Key));
        Assert.Equal(4, node.Node.Replicas.PartitionCount);
    }

    private static long SnapshotOffset(string path) =>
        long.Parse(Path.GetFileName(path).AsSpan(0, 20), System.Globalization.CultureInfo.InvariantCulture);
}
