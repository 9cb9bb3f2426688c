using Microsoft.Extensions.Logging.Abstractions;
using Rill.Common;

namespace Rill.Metadata.Tests;

/// <summary>The controller's decisions, and that a restart replays the log into the same image.</summary>
public sealed class MetadataControllerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rill-metadata-tests", Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void CreateTopic_AssignsPartitionsToTheBroker_AndARestartRebuildsTheSameImage()
    {
        Uuid topicId;
        using (var log = new FileMetadataLog(_dir, NullLogger.Instance))
        {
            var controller = NewController(log);
            controller.Load();
            controller.RegisterBroker(1, Uuid.NewRandom(), [new BrokerEndpoint("PLAINTEXT", "localhost", 9092, 0)], rack: null);
            var created = controller.CreateTopic("orders", 3, 1, new Dictionary<string, string> { ["retention.ms"] = "1000" }, validateOnly: false);
            Assert.Equal(ErrorCode.None, created.ErrorCode);
            topicId = created.Topic!.Id;
            Assert.Equal(3, created.Topic.Partitions.Length);
            Assert.All(created.Topic.Partitions, p =>
            {
                Assert.Equal(1, p.Leader);
                Assert.Equal([1], p.Replicas);
                Assert.Equal([1], p.Isr);
                Assert.Equal(0, p.LeaderEpoch);
            });
        }

        using (var log = new FileMetadataLog(_dir, NullLogger.Instance))
        {
            var controller = NewController(log);
            controller.Load();
            var image = controller.Image;
            Assert.True(image.TryGetTopic("orders", out var topic));
            Assert.Equal(topicId, topic.Id);
            Assert.Equal(3, topic.Partitions.Length);
            Assert.Equal("1000", image.ConfigsOf(ConfigResourceType.Topic, "orders")["retention.ms"]);
            Assert.Equal("localhost", image.Brokers[1].Endpoints[0].Host);
        }
    }

    [Fact]
    public void CreateTopic_RefusesBadNamesDuplicatesCollisionsAndImpossibleReplication()
    {
        using var log = new FileMetadataLog(_dir, NullLogger.Instance);
        var controller = NewController(log);
        controller.Load();
        controller.RegisterBroker(1, Uuid.NewRandom(), [new BrokerEndpoint("PLAINTEXT", "localhost", 9092, 0)], rack: null);
        var none = new Dictionary<string, string>();
        Assert.Equal(ErrorCode.None, controller.CreateTopic("a.b", 1, 1, none, validateOnly: false).ErrorCode);
        Assert.Equal(ErrorCode.TopicAlreadyExists, controller.CreateTopic("a.b", 1, 1, none, validateOnly: false).ErrorCode);
        Assert.Equal(ErrorCode.InvalidTopicException, controller.CreateTopic("a_b", 1, 1, none, validateOnly: false).ErrorCode);
        Assert.Equal(ErrorCode.InvalidTopicException, controller.CreateTopic("..", 1, 1, none, validateOnly: false).ErrorCode);
        Assert.Equal(ErrorCode.InvalidTopicException, controller.CreateTopic(new string('x', 250), 1, 1, none, validateOnly: false).ErrorCode);
        Assert.Equal(ErrorCode.InvalidPartitions, controller.CreateTopic("p", 0, 1, none, validateOnly: false).ErrorCode);
        Assert.Equal(ErrorCode.InvalidReplicationFactor, controller.CreateTopic("r", 1, 2, none, validateOnly: false).ErrorCode);
        var defaults = controller.CreateTopic("d", -1, -1, none, validateOnly: false);
        Assert.Equal(2, defaults.Topic!.Partitions.Length);
    }

    [Fact]
    public void DeleteTopic_AndCreatePartitions_ChangeTheImage()
    {
        using var log = new FileMetadataLog(_dir, NullLogger.Instance);
        var controller = NewController(log);
        controller.Load();
        controller.RegisterBroker(1, Uuid.NewRandom(), [new BrokerEndpoint("PLAINTEXT", "localhost", 9092, 0)], rack: null);
        var none = new Dictionary<string, string>();
        controller.CreateTopic("grow", 1, 1, none, validateOnly: false);
        Assert.Equal(ErrorCode.None, controller.CreatePartitions("grow", 4, validateOnly: false).ErrorCode);
        Assert.Equal([0, 1, 2, 3], controller.Image.Topics["grow"].Partitions.Select(p => p.PartitionId));
        Assert.Equal(ErrorCode.InvalidPartitions, controller.CreatePartitions("grow", 2, validateOnly: false).ErrorCode);
        Assert.Equal(ErrorCode.None, controller.DeleteTopic("grow").ErrorCode);
        Assert.False(controller.Image.Topics.ContainsKey("grow"));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, controller.DeleteTopic("grow").ErrorCode);
    }

    [Fact]
    public void TornTailOfTheMetadataLog_IsTruncated_AndEverythingBeforeItReplays()
    {
        string path;
        using (var log = new FileMetadataLog(_dir, NullLogger.Instance))
        {
            var controller = NewController(log);
            controller.Load();
            controller.RegisterBroker(1, Uuid.NewRandom(), [new BrokerEndpoint("PLAINTEXT", "localhost", 9092, 0)], rack: null);
            controller.CreateTopic("kept", 1, 1, new Dictionary<string, string>(), validateOnly: false);
            path = log.Path;
        }

        var validLength = new FileInfo(path).Length;
        File.AppendAllBytes(path, [0, 0, 0, 40, 1, 2, 3]);
        using (var log = new FileMetadataLog(_dir, NullLogger.Instance))
        {
            var controller = NewController(log);
            controller.Load();
            Assert.True(controller.Image.Topics.ContainsKey("kept"));
            Assert.Equal(validLength, new FileInfo(path).Length);
            controller.CreateTopic("after", 1, 1, new Dictionary<string, string>(), validateOnly: false);
        }

        using (var log = new FileMetadataLog(_dir, NullLogger.Instance))
        {
            var controller = NewController(log);
            controller.Load();
            Assert.True(controller.Image.Topics.ContainsKey("after"));
        }
    }

    [Fact]
    public void ValidateOnly_ChangesNothing()
    {
        using var log = new FileMetadataLog(_dir, NullLogger.Instance);
        var controller = NewController(log);
        controller.Load();
        controller.RegisterBroker(1, Uuid.NewRandom(), [new BrokerEndpoint("PLAINTEXT", "localhost", 9092, 0)], rack: null);
        var offset = controller.Image.Offset;
        var result = controller.CreateTopic("dry", 2, 1, new Dictionary<string, string>(), validateOnly: true);
        Assert.Equal(ErrorCode.None, result.ErrorCode);
        Assert.Equal(2, result.Topic!.Partitions.Length);
        Assert.False(controller.Image.Topics.ContainsKey("dry"));
        Assert.Equal(offset, controller.Image.Offset);
    }

    private static MetadataController NewController(IMetadataLog log) =>
        new(log, new MetadataControllerConfig(NodeId: 1, DefaultNumPartitions: 2, DefaultReplicationFactor: 1), NullLogger<MetadataController>.Instance);
}
