using Microsoft.Extensions.Logging;
using Rill.Config;
using Rill.Metadata;

namespace Rill.Server.Configuration;

/// <summary>
/// Logs each change of the dynamic broker configs that concern this broker (the cluster default and its own), and
/// every stored value it has to ignore; at start the whole stored set is logged as it is loaded. The values reach the
/// logs through the replica manager, which re-resolves every topic when these resources change.
/// </summary>
public sealed class DynamicConfigLogPublisher : IMetadataPublisher
{
    private readonly int _nodeId;
    private readonly ILogger _logger;

    public DynamicConfigLogPublisher(int nodeId, ILogger logger)
    {
        _nodeId = nodeId;
        _logger = logger;
    }

    public void Publish(MetadataImage previous, MetadataImage current)
    {
        var changed = LogChanges(previous, current, DynamicBrokerConfig.ClusterDefaultName, "cluster default")
            | LogChanges(previous, current, DynamicBrokerConfig.NodeName(_nodeId), $"broker {_nodeId}");
        if (!changed)
        {
            return;
        }

        foreach (var ignored in current.DynamicConfigOf(_nodeId).Ignored)
        {
            ConfigLog.IgnoredConfiguration(_logger, ignored);
        }
    }

    private bool LogChanges(MetadataImage previous, MetadataImage current, string resourceName, string layer)
    {
        var before = previous.ConfigsOf(ConfigResourceType.Broker, resourceName);
        var after = current.ConfigsOf(ConfigResourceType.Broker, resourceName);
        if (ReferenceEquals(before, after))
        {
            return false;
        }

        foreach (var key in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            if (!after.TryGetValue(key, out var value))
            {
                ConfigLog.DynamicConfigRemoved(_logger, key, layer);
            }
            else if (!before.TryGetValue(key, out var old) || old != value)
            {
                var secret = BrokerConfigs.TryGet(key, out var definition) && definition.IsSensitive;
                ConfigLog.DynamicConfigSet(_logger, key, secret ? ConfigPrinter.Hidden : value, layer);
            }
        }

        return true;
    }
}
