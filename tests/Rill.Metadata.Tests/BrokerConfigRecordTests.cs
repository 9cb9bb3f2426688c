using System.Collections.Immutable;
using Microsoft.Extensions.Logging.Abstractions;
using Rill.Common;

namespace Rill.Metadata.Tests;

/// <summary>Dynamic broker configs as ConfigRecords: kept per resource (cluster default "" and each node id), replayed at start.</summary>
public sealed class BrokerConfigRecordTests : IDisposable
{
    private static readonly ConfigResource Cluster = new(ConfigResourceType.Broker, "");
    private static readonly ConfigResource Node1 = new(ConfigResourceType.Broker, "1");

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rill-metadata-tests", Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void BrokerConfigs_AreKeptPerResource_AndARestartReplaysThem()
    {
        using (var log = new FileMetadataLog(_dir, NullLogger.Instance))
        {
            var controller = NewController(log);
            controller.Load();
            controller.AlterConfigs(Cluster, [new("log.retention.ms", "1000"), new("log.segment.bytes", "2097152")]);
            controller.AlterConfigs(Node1, [new("log.retention.ms", "2000")]);
            controller.AlterConfigs(Cluster, [new("log.segment.bytes", null)]);
        }

        using (var log = new FileMetadataLog(_dir, NullLogger.Instance))
        {
            var controller = NewController(log);
            controller.Load();
            var image = controller.Image;
            Assert.Equal([new KeyValuePair<string, string>("log.retention.ms", "1000")], image.ConfigsOf(ConfigResourceType.Broker, ""));
            Assert.Equal([new KeyValuePair<string, string>("log.retention.ms", "2000")], image.ConfigsOf(ConfigResourceType.Broker, "1"));
            Assert.Empty(image.ConfigsOf(ConfigResourceType.Broker, "2"));
        }
    }

    [Fact]
    public void RemovingTheLastValue_DropsTheResource_AndDeletingATopicLeavesBrokerConfigs()
    {
        using var log = new FileMetadataLog(_dir, NullLogger.Instance);
        var controller = NewController(log);
        controller.Load();
        controller.RegisterBroker(1, Uuid.NewRandom(), [new BrokerEndpoint("PLAINTEXT", "localhost", 9092, 0)], rack: null);
        controller.CreateTopic("gone", 1, 1, new Dictionary<string, string> { ["retention.ms"] = "5" }, validateOnly: false);
        controller.AlterConfigs(Cluster, [new("message.max.bytes", "2000")]);
        controller.AlterConfigs(Node1, [new("message.max.bytes", "3000")]);

        controller.DeleteTopic("gone");
        controller.AlterConfigs(Node1, [new("message.max.bytes", null)]);

        Assert.Equal([Cluster], controller.Image.Configs.Keys);
        Assert.Equal(ImmutableDictionary<string, string>.Empty, controller.Image.ConfigsOf(ConfigResourceType.Broker, "1"));
    }

    [Fact]
    public void AnUnchangedResource_KeepsItsInstance_SoPublishersCanTellWhatChanged()
    {
        using var log = new FileMetadataLog(_dir, NullLogger.Instance);
        var controller = NewController(log);
        controller.Load();
        controller.AlterConfigs(Cluster, [new("log.retention.ms", "1000")]);
        var before = controller.Image.ConfigsOf(ConfigResourceType.Broker, "");

        controller.AlterConfigs(Node1, [new("log.retention.ms", "2000")]);

        Assert.Same(before, controller.Image.ConfigsOf(ConfigResourceType.Broker, ""));
        Assert.Same(ImmutableDictionary<string, string>.Empty, controller.Image.ConfigsOf(ConfigResourceType.Broker, "3"));
    }

    private static MetadataController NewController(IMetadataLog log) =>
        new(log, new MetadataControllerConfig(NodeId: 1, DefaultNumPartitions: 1, DefaultReplicationFactor: 1), NullLogger<MetadataController>.Instance);
}
