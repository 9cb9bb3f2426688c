using Microsoft.Extensions.Logging;
using Rill.Config;

namespace Rill.Server.Tests.Configuration;

public sealed class ServerConfigDefaultsTests
{
    private readonly ServerConfig _config = ConfigLoad.WithOverrides();

    [Fact]
    public void Load_NothingGiven_IsOneCombinedNodeOnLocalhost9092WithDataInDotData()
    {
        Assert.Equal(1, _config.NodeId);
        Assert.Equal(ProcessRoles.Broker | ProcessRoles.Controller, _config.ProcessRoles);
        Assert.Equal([new ListenerEndpoint("PLAINTEXT", "localhost", 9092, SecurityProtocol.Plaintext)], _config.Listeners);
        Assert.Equal(_config.Listeners, _config.AdvertisedListeners);
        Assert.Equal(_config.Listeners, _config.AdvertisedBrokerListeners);
        Assert.Equal("PLAINTEXT", _config.InterBrokerListenerName);
        Assert.Empty(_config.ControllerListenerNames);
        Assert.Empty(_config.ControllerQuorumVoters);
        Assert.Empty(_config.ControllerQuorumBootstrapServers);
        Assert.Equal(["./data"], _config.LogDirs);
        Assert.Equal(new HostPort("127.0.0.1", 9644), _config.AdminListener);
        Assert.Equal(LogLevel.Information, _config.LogLevel);
        Assert.Null(_config.ClusterId);
        Assert.Null(_config.PropertiesPath);
        Assert.Empty(_config.Warnings);
    }

    [Fact]
    public void Load_NothingGiven_HasKafkasDefaults()
    {
        Assert.Equal(1, _config.NumPartitions);
        Assert.Equal(1, _config.DefaultReplicationFactor);
        Assert.True(_config.AutoCreateTopicsEnable);
        Assert.True(_config.DeleteTopicEnable);
        Assert.Equal(104857600, _config.SocketRequestMaxBytes);
        Assert.Equal(600000, _config.ConnectionsMaxIdleMs);
        Assert.Equal(-1, _config.QueuedMaxRequestBytes);
        Assert.Equal(1048588, _config.MessageMaxBytes);
        Assert.Equal(300000, _config.LogRetentionCheckIntervalMs);
        Assert.Equal(long.MaxValue, _config.LogFlushSchedulerIntervalMs);
        Assert.Equal(60000, _config.LogFlushOffsetCheckpointIntervalMs);
        Assert.Equal(50, _config.OffsetsTopicNumPartitions);
        Assert.Equal(1, _config.OffsetsTopicReplicationFactor);
        Assert.Equal(10080, _config.OffsetsRetentionMinutes);
        Assert.Equal(3000, _config.GroupInitialRebalanceDelayMs);
        Assert.Equal(6000, _config.GroupMinSessionTimeoutMs);
        Assert.Equal(1800000, _config.GroupMaxSessionTimeoutMs);
    }

    [Fact]
    public void Load_NothingGiven_TopicDefaultsAreKafkas()
    {
        var topic = _config.TopicDefaults;

        Assert.Equal(1073741824, topic.SegmentBytes);
        Assert.Equal(604800000L, topic.SegmentMs);
        Assert.Equal(604800000L, topic.RetentionMs);
        Assert.Equal(-1L, topic.RetentionBytes);
        Assert.Equal(long.MaxValue, topic.FlushMessages);
        Assert.Equal(long.MaxValue, topic.FlushMs);
        Assert.Equal(4096, topic.IndexIntervalBytes);
        Assert.Equal(10485760, topic.SegmentIndexBytes);
        Assert.Equal("CreateTime", topic.MessageTimestampType);
        Assert.Equal(1048588, topic.MaxMessageBytes);
        Assert.Equal(["delete"], topic.CleanupPolicy);
        Assert.Equal(1, topic.MinInSyncReplicas);
        Assert.Equal("producer", topic.CompressionType);
    }

    [Fact]
    public void Load_NothingGiven_EveryValueIsDefault()
    {
        Assert.All(_config.Values, value =>
        {
            Assert.Equal(ConfigOrigin.Default, value.Origin);
            Assert.Equal("default", value.Location);
        });
    }

    [Fact]
    public void Definitions_EveryBrokerKey_HasDocumentationAndOnlyKeysRillActsOnAreDynamic()
    {
        Assert.All(BrokerConfigs.All, definition =>
        {
            Assert.False(string.IsNullOrWhiteSpace(definition.Documentation));
            Assert.Equal(ConfigScope.Broker, definition.Scope);
            Assert.True(definition.HasEffect || !definition.IsDynamic, definition.Name);
        });
    }

    [Fact]
    public void Definitions_EveryTopicSynonym_IsABrokerKey()
    {
        Assert.All(TopicConfigs.All.SelectMany(definition => definition.Synonyms), synonym =>
            Assert.True(BrokerConfigs.TryGet(synonym.Name, out _), synonym.Name));
    }

    [Fact]
    public void Definitions_EveryBrokerKey_MapsToADistinctEnvironmentVariable()
    {
        var names = BrokerConfigs.All.Select(definition => BrokerConfigs.EnvironmentVariableName(definition.Name)).ToList();

        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal("RILL_LOG_DIRS", BrokerConfigs.EnvironmentVariableName("log.dirs"));
    }
}
