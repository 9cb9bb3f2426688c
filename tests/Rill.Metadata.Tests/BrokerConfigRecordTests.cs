using System.Collections.Immutable;
using Rill.Common;

namespace Rill.Metadata.Tests;

/// <summary>Dynamic broker configs as ConfigRecords: kept per resource (cluster default "" and each node id), replayed at start.</summary>
public sealed class BrokerConfigRecordTests : IDisposable
{
    private const sbyte Set = 0;
    private const sbyte Delete = 1;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rill-metadata-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task BrokerConfigs_AreKeptPerResource_AndARestartReplaysThem()
    {
        using (var node = Node.Open(_dir))
        {
            await node.AlterAsync(ConfigResourceType.Broker, "", ("log.retention.ms", Set, "1000"), ("log.segment.bytes", Set, "2097152"));
            await node.AlterAsync(ConfigResourceType.Broker, "1", ("log.retention.ms", Set, "2000"));
            await node.AlterAsync(ConfigResourceType.Broker, "", ("log.segment.bytes", Delete, null));
        }

        using (var node = Node.Open(_dir))
        {
            var image = node.Image;
            Assert.Equal([new KeyValuePair<string, string>("log.retention.ms", "1000")], image.ConfigsOf(ConfigResourceType.Broker, ""));
            Assert.Equal([new KeyValuePair<string, string>("log.retention.ms", "2000")], image.ConfigsOf(ConfigResourceType.Broker, "1"));
            Assert.Empty(image.ConfigsOf(ConfigResourceType.Broker, "2"));
        }
    }

    [Fact]
    public async Task RemovingTheLastValue_DropsTheResource_AndDeletingATopicLeavesBrokerConfigs()
    {
        using var node = Node.OpenRegistered(_dir);
        await node.CreateTopicAsync("gone", 1, 1, configs: ("retention.ms", "5"));
        await node.AlterAsync(ConfigResourceType.Broker, "", ("message.max.bytes", Set, "2000"));
        await node.AlterAsync(ConfigResourceType.Broker, "1", ("message.max.bytes", Set, "3000"));

        await node.DeleteTopicAsync("gone");
        await node.AlterAsync(ConfigResourceType.Broker, "1", ("message.max.bytes", Delete, null));

        Assert.Equal([new ConfigResource(ConfigResourceType.Broker, "")], node.Image.Configs.Keys);
        Assert.Equal(ImmutableDictionary<string, string>.Empty, node.Image.ConfigsOf(ConfigResourceType.Broker, "1"));
    }

    [Fact]
    public async Task AnUnchangedResource_KeepsItsInstance_SoPublishersCanTellWhatChanged()
    {
        using var node = Node.Open(_dir);
        await node.AlterAsync(ConfigResourceType.Broker, "", ("log.retention.ms", Set, "1000"));
        var before = node.Image.ConfigsOf(ConfigResourceType.Broker, "");

        await node.AlterAsync(ConfigResourceType.Broker, "1", ("log.retention.ms", Set, "2000"));

        Assert.Same(before, node.Image.ConfigsOf(ConfigResourceType.Broker, ""));
        Assert.Same(ImmutableDictionary<string, string>.Empty, node.Image.ConfigsOf(ConfigResourceType.Broker, "3"));
    }

    [Fact]
    public async Task AppendOrSubtractOnAConfigThatIsNotAList_IsInvalidConfig_InKafkasWords()
    {
        using var node = Node.OpenRegistered(_dir);
        await node.CreateTopicAsync("t", 1, 1);

        var append = await node.AlterAsync(ConfigResourceType.Topic, "t", ("retention.ms", 2, "1"));
        Assert.Equal((short)ErrorCode.InvalidConfig, append.ErrorCode);
        Assert.Equal("Config value append is not allowed for config key: retention.ms", append.ErrorMessage);
        var subtract = await node.AlterAsync(ConfigResourceType.Broker, "", ("log.retention.ms", 3, "1"));
        Assert.Equal((short)ErrorCode.InvalidConfig, subtract.ErrorCode);
        Assert.Equal("Config value subtract is not allowed for config key: log.retention.ms", subtract.ErrorMessage);
        Assert.Empty(node.Image.Configs);
    }
}
