using Rill.Common;
using Rill.Protocol.Messages;

namespace Rill.Metadata.Tests;

/// <summary>The controller's decisions, and that a restart replays the log into the same image.</summary>
public sealed class MetadataControllerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rill-metadata-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task CreateTopic_AssignsPartitionsToTheBroker_AndARestartRebuildsTheSameImage()
    {
        Uuid topicId;
        using (var node = Node.OpenRegistered(_dir))
        {
            var created = await node.CreateTopicAsync("orders", 3, 1, configs: ("retention.ms", "1000"));
            Assert.Equal((short)ErrorCode.None, created.ErrorCode);
            topicId = created.TopicId;
            Assert.Equal(3, created.NumPartitions);
            Assert.Contains(created.Configs!, c => c.Name == "retention.ms" && c.Value == "1000");
            var topic = node.Image.Topics["orders"];
            Assert.Equal(topicId, topic.Id);
            Assert.All(topic.Partitions, p =>
            {
                Assert.Equal(1, p.Leader);
                Assert.Equal([1], p.Replicas);
                Assert.Equal([1], p.Isr);
                Assert.Equal(0, p.LeaderEpoch);
            });
        }

        using (var node = Node.Open(_dir))
        {
            var image = node.Image;
            Assert.True(image.TryGetTopic("orders", out var topic));
            Assert.Equal(topicId, topic.Id);
            Assert.Equal(3, topic.Partitions.Length);
            Assert.Equal("1000", image.ConfigsOf(ConfigResourceType.Topic, "orders")["retention.ms"]);
            Assert.Equal("localhost", image.Brokers[1].Endpoints[0].Host);
        }
    }

    [Fact]
    public async Task CreateTopic_RefusesBadNamesDuplicatesCollisionsImpossibleReplicationAndBadConfigs()
    {
        using var node = Node.OpenRegistered(_dir);
        Assert.Equal((short)ErrorCode.None, (await node.CreateTopicAsync("a.b", 1, 1)).ErrorCode);
        Assert.Equal((short)ErrorCode.TopicAlreadyExists, (await node.CreateTopicAsync("a.b", 1, 1)).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidTopicException, (await node.CreateTopicAsync("a_b", 1, 1)).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidTopicException, (await node.CreateTopicAsync("..", 1, 1)).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidTopicException, (await node.CreateTopicAsync(new string('x', 250), 1, 1)).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidPartitions, (await node.CreateTopicAsync("p", 0, 1)).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidReplicationFactor, (await node.CreateTopicAsync("r", 1, 2)).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidConfig, (await node.CreateTopicAsync("c", 1, 1, configs: ("retention.ms", "soon"))).ErrorCode);
        Assert.False(node.Image.Topics.ContainsKey("c"));
        Assert.Equal(2, (await node.CreateTopicAsync("d", -1, -1)).NumPartitions);
    }

    [Fact]
    public async Task TopicsOfOneRequest_AreDecidedInOrder_AndCommittedAsOneBatch()
    {
        using var node = Node.OpenRegistered(_dir);
        var offset = node.Image.Offset;
        var request = new CreateTopicsRequest
        {
            Topics =
            [
                new CreateTopicsRequest.CreatableTopic { Name = "x.y", NumPartitions = 1, ReplicationFactor = 1 },
                new CreateTopicsRequest.CreatableTopic { Name = "x_y", NumPartitions = 1, ReplicationFactor = 1 },
                new CreateTopicsRequest.CreatableTopic { Name = "z", NumPartitions = 2, ReplicationFactor = 1 },
            ],
        };
        var result = await node.Controller.CreateTopicsAsync(request, CancellationToken.None);
        Assert.Equal([(short)ErrorCode.None, (short)ErrorCode.InvalidTopicException, (short)ErrorCode.None], result.Response.Topics.Select(t => t.ErrorCode));
        Assert.Equal(2 + 1 + 2, result.Records.Count);
        Assert.Equal(offset + result.Records.Count, node.Image.Offset);
    }

    [Fact]
    public async Task DeleteTopic_AndCreatePartitions_ChangeTheImage()
    {
        using var node = Node.OpenRegistered(_dir);
        await node.CreateTopicAsync("grow", 1, 1);
        Assert.Equal(ErrorCode.None, await node.CreatePartitionsAsync("grow", 4));
        Assert.Equal([0, 1, 2, 3], node.Image.Topics["grow"].Partitions.Select(p => p.PartitionId));
        Assert.Equal(ErrorCode.InvalidPartitions, await node.CreatePartitionsAsync("grow", 2));
        Assert.Equal(ErrorCode.None, await node.DeleteTopicAsync("grow"));
        Assert.False(node.Image.Topics.ContainsKey("grow"));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, await node.DeleteTopicAsync("grow"));
    }

    [Fact]
    public void TheOldSingleNodeLog_ReadsUpToATornTail()
    {
        var path = Path.Combine(_dir, "metadata.log");
        Directory.CreateDirectory(_dir);
        var topic = new ApiMessageAndVersion(new Rill.Protocol.MetadataRecords.TopicRecord { Name = "kept", TopicId = Uuid.NewRandom() }, 0);
        File.WriteAllBytes(path, [.. LegacyEntry(0, topic), 0, 0, 0, 40, 1, 2, 3]);

        var batches = LegacyMetadataLog.ReadAll(path, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        var batch = Assert.Single(batches);
        Assert.Equal(0, batch.LastOffset);
        Assert.Equal("kept", Assert.IsType<Rill.Protocol.MetadataRecords.TopicRecord>(Assert.Single(batch.Records).Message).Name);
    }

    [Fact]
    public async Task ValidateOnly_ChangesNothing_AndReturnsNoRecords()
    {
        using var node = Node.OpenRegistered(_dir);
        var offset = node.Image.Offset;
        var request = new CreateTopicsRequest
        {
            ValidateOnly = true,
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = "dry", NumPartitions = 2, ReplicationFactor = 1 }],
        };
        var result = await node.Controller.CreateTopicsAsync(request, CancellationToken.None);
        Assert.Equal((short)ErrorCode.None, result.Response.Topics[0].ErrorCode);
        Assert.Equal(2, result.Response.Topics[0].NumPartitions);
        Assert.Equal(Uuid.Zero, result.Response.Topics[0].TopicId);
        Assert.Empty(result.Records);
        Assert.False(node.Image.Topics.ContainsKey("dry"));
        Assert.Equal(offset, node.Image.Offset);
    }

    [Fact]
    public async Task APartitionReplicaLimit_RefusesWhatWouldExceedIt_WithPolicyViolationNamingTheKey()
    {
        using var node = Node.OpenRegistered(_dir, "max.partition.replicas.per.broker=10");
        Assert.Equal((short)ErrorCode.None, (await node.CreateTopicAsync("fits", 8, 1)).ErrorCode);

        var big = await node.CreateTopicAsync("big", 10000, 1);
        Assert.Equal((short)ErrorCode.PolicyViolation, big.ErrorCode);
        Assert.Contains("max.partition.replicas.per.broker", big.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("10", big.ErrorMessage, StringComparison.Ordinal);

        var over = await node.CreateTopicAsync("over", 3, 1);
        Assert.Equal((short)ErrorCode.PolicyViolation, over.ErrorCode);
        Assert.Equal(
            "The request would put 11 partition replicas on one broker, above its limit of 10 (max.partition.replicas.per.broker).",
            over.ErrorMessage);
        Assert.Equal(ErrorCode.PolicyViolation, await node.CreatePartitionsAsync("fits", 11));
        Assert.Equal(ErrorCode.None, await node.CreatePartitionsAsync("fits", 10));
        Assert.Equal(10, node.Image.Topics["fits"].Partitions.Length);
        Assert.False(node.Image.Topics.ContainsKey("big"));
    }

    // One entry of the old log: length, CRC-32C of the payload, then base offset, count and each record's sized frame.
    private static byte[] LegacyEntry(long baseOffset, ApiMessageAndVersion record)
    {
        var size = MetadataRecordSerde.SizeOf(record);
        var frame = new byte[Rill.Protocol.KafkaSize.UnsignedVarInt((uint)size) + size];
        var writer = new Rill.Protocol.KafkaWriter(frame);
        writer.WriteUnsignedVarInt((uint)size);
        MetadataRecordSerde.Write(ref writer, record);
        var payload = new byte[12 + frame.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(payload, baseOffset);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(8), 1);
        frame.CopyTo(payload, 12);
        var entry = new byte[8 + payload.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(entry, payload.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(entry.AsSpan(4), Crc32C.Compute(payload));
        payload.CopyTo(entry, 8);
        return entry;
    }
}
