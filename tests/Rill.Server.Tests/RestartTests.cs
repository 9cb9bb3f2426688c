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
}
