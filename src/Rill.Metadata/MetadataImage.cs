using System.Collections.Immutable;
using Rill.Common;
using Rill.Config;

namespace Rill.Metadata;

/// <summary>
/// The cluster's metadata at one point of the metadata log: immutable, so request handlers read it
/// without locks; each applied batch of records publishes a new image (one reference swap).
/// </summary>
public sealed record MetadataImage(
    long Offset,
    ImmutableDictionary<int, BrokerRegistration> Brokers,
    ImmutableDictionary<string, TopicImage> Topics,
    ImmutableDictionary<Uuid, string> TopicNamesById,
    ImmutableDictionary<ConfigResource, ImmutableDictionary<string, string>> Configs,
    ImmutableDictionary<string, short> Features)
{
    public static readonly MetadataImage Empty = new(
        -1,
        ImmutableDictionary<int, BrokerRegistration>.Empty,
        ImmutableDictionary.Create<string, TopicImage>(StringComparer.Ordinal),
        ImmutableDictionary<Uuid, string>.Empty,
        ImmutableDictionary<ConfigResource, ImmutableDictionary<string, string>>.Empty,
        ImmutableDictionary.Create<string, short>(StringComparer.Ordinal));

    public bool TryGetTopic(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TopicImage? topic) =>
        Topics.TryGetValue(name, out topic);

    public bool TryGetTopic(Uuid id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TopicImage? topic)
    {
        topic = null;
        return TopicNamesById.TryGetValue(id, out var name) && Topics.TryGetValue(name, out topic);
    }

    /// <summary>The dynamic configs set on a resource (topic overrides, broker dynamic configs); empty when none.</summary>
    public ImmutableDictionary<string, string> ConfigsOf(ConfigResourceType type, string name) =>
        Configs.TryGetValue(new ConfigResource(type, name), out var configs)
            ? configs
            : ImmutableDictionary<string, string>.Empty;

    /// <summary>The dynamic layer of broker <paramref name="nodeId"/>'s configuration in this image: the cluster default and its own values.</summary>
    public DynamicBrokerConfig DynamicConfigOf(int nodeId) =>
        DynamicBrokerConfig.From(
            ConfigsOf(ConfigResourceType.Broker, DynamicBrokerConfig.ClusterDefaultName),
            ConfigsOf(ConfigResourceType.Broker, DynamicBrokerConfig.NodeName(nodeId)));

    /// <summary>A topic's effective config on the broker of <paramref name="config"/>: its overrides over the dynamic broker configs of this image over the static ones.</summary>
    public EffectiveTopicConfig TopicConfigOf(ServerConfig config, string topic) =>
        TopicConfigs.Resolve(config, DynamicConfigOf(config.NodeId), ConfigsOf(ConfigResourceType.Topic, topic));
}

/// <summary>A resource that configs are attached to: a topic by name, a broker by id ("" for the cluster default).</summary>
public readonly record struct ConfigResource(ConfigResourceType Type, string Name);
