using System.Collections.Immutable;
using System.Globalization;
using Rill.Common;
using Rill.Config;

namespace Rill.Metadata;

/// <summary>
/// AlterConfigs / IncrementalAlterConfigs on a BROKER resource: the cluster default (name "") or this broker's own
/// dynamic values (name = its node id), as Kafka's ConfigAdminManager.preprocess and DynamicBrokerConfig.validate
/// check them. The new set is computed and checked whole, including against every topic whose config it changes,
/// before anything is recorded; the records then reach every log through the metadata publishers.
/// </summary>
public static class BrokerConfigChanges
{
    /// <summary>
    /// The changes to record for one broker resource, decided on <paramref name="image"/>: its new dynamic set is
    /// computed from the current one with <paramref name="compute"/> and validated; nothing is recorded when anything
    /// is wrong or the request only validates. The resource name was checked by the broker that took the request.
    /// </summary>
    public static (ErrorCode Error, string? Message, List<KeyValuePair<string, string?>> Changes) Decide(
        MetadataImage image,
        ServerConfig config,
        string resourceName,
        bool validateOnly,
        Func<IReadOnlyDictionary<string, string>, DynamicBrokerConfig, NextSet> compute)
    {
        var current = image.ConfigsOf(ConfigResourceType.Broker, resourceName);
        var next = compute(current, image.DynamicConfigOf(config.NodeId));
        if (next.Error != ErrorCode.None)
        {
            return (next.Error, next.Message, []);
        }

        var (error, message) = Validate(config, image, resourceName, next);
        if (error != ErrorCode.None || validateOnly)
        {
            return (error, message, []);
        }

        return (ErrorCode.None, null, Diff(current, next.Configs));
    }

    /// <summary>
    /// IncrementalAlterConfigs: applies SET, DELETE, APPEND and SUBTRACT to the resource's dynamic set. APPEND and
    /// SUBTRACT start from the value the broker has without this resource's own entry when it has none.
    /// </summary>
    public static NextSet Incremental(
        ServerConfig config,
        DynamicBrokerConfig dynamic,
        string resourceName,
        IReadOnlyDictionary<string, string> current,
        IEnumerable<(string Name, sbyte Operation, string? Value)> operations)
    {
        var next = new Dictionary<string, string>(current, StringComparer.Ordinal);
        var written = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, operation, value) in operations)
        {
            if (!seen.Add(name))
            {
                return NextSet.Failed(ErrorCode.InvalidRequest, "Error due to duplicate config keys");
            }

            if (operation is < TopicConfigChanges.Set or > TopicConfigChanges.Subtract)
            {
                return NextSet.Failed(ErrorCode.InvalidRequest, $"Unknown operations type {operation}");
            }

            if (operation == TopicConfigChanges.Delete)
            {
                // Also for a key Rill no longer knows, so that a value left by another version can be removed.
                next.Remove(name);
                continue;
            }

            if (value is null)
            {
                return NextSet.Failed(ErrorCode.InvalidRequest, $"Null value not supported for : {name}");
            }

            if (!BrokerConfigs.TryGet(name, out var definition))
            {
                return NextSet.Failed(ErrorCode.InvalidConfig, $"Unknown config name: {name}");
            }

            written.Add(name);
            if (operation == TopicConfigChanges.Set)
            {
                next[name] = value;
                continue;
            }

            if (definition.Type != ConfigType.List)
            {
                var verb = operation == TopicConfigChanges.Append ? "append" : "subtract";
                return NextSet.Failed(ErrorCode.InvalidConfig, $"Config value {verb} is not allowed for config key: {name}");
            }

            var items = ListBelow(config, dynamic, resourceName, next, name);
            var operands = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (operation == TopicConfigChanges.Append)
            {
                items.AddRange(operands.Where(operand => !items.Contains(operand, StringComparer.Ordinal)));
            }
            else
            {
                items.RemoveAll(item => operands.Contains(item, StringComparer.Ordinal));
            }

            next[name] = string.Join(',', items);
        }

        return new NextSet(ErrorCode.None, null, next, written);
    }

    /// <summary>AlterConfigs: the given configs replace the resource's whole dynamic set, as in Kafka.</summary>
    public static NextSet Replace(IEnumerable<(string Name, string? Value)> configs)
    {
        var next = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in configs)
        {
            if (value is null)
            {
                return NextSet.Failed(ErrorCode.InvalidRequest, $"Null value not supported for : {name}");
            }

            if (!next.TryAdd(name, value))
            {
                return NextSet.Failed(ErrorCode.InvalidRequest, "Error due to duplicate config keys");
            }

            if (!BrokerConfigs.TryGet(name, out _))
            {
                return NextSet.Failed(ErrorCode.InvalidConfig, $"Unknown config name: {name}");
            }
        }

        return new NextSet(ErrorCode.None, null, next, [.. next.Keys]);
    }

    /// <summary>
    /// "" is the cluster default; otherwise Kafka accepts only the id of the broker that received the request
    /// (ConfigAdminManager.validateResourceNameIsCurrentNodeId, run by that broker before it forwards the request).
    /// </summary>
    public static (ErrorCode Error, string? Message) CheckName(ServerConfig config, string resourceName)
    {
        if (resourceName == DynamicBrokerConfig.ClusterDefaultName)
        {
            return (ErrorCode.None, null);
        }

        if (!int.TryParse(resourceName, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            return (ErrorCode.InvalidRequest, $"Node id must be an integer, but it is: {resourceName}");
        }

        var own = DynamicBrokerConfig.NodeName(config.NodeId);
        return resourceName == own
            ? (ErrorCode.None, null)
            : (ErrorCode.InvalidRequest, $"Unexpected broker id, expected {own}, but received {resourceName}");
    }

    // Kafka's order: keys that are not dynamic first (INVALID_REQUEST, the message Kafka gives), then each value with
    // the validator the static configuration uses, then what the new values do to every topic.
    private static (ErrorCode Error, string? Message) Validate(ServerConfig config, MetadataImage image, string resourceName, NextSet next)
    {
        var readOnly = next.Written.Where(name => !BrokerConfigs.Get(name).IsDynamic).ToList();
        if (readOnly.Count > 0)
        {
            return (ErrorCode.InvalidRequest, $"Cannot update these configs dynamically: Set({string.Join(", ", readOnly)})");
        }

        foreach (var name in next.Written)
        {
            var text = next.Configs[name];
            var definition = BrokerConfigs.Get(name);
            if (definition.Parse(text, out var reason) is null)
            {
                return (ErrorCode.InvalidConfig, $"Invalid value '{text}' for configuration '{name}': {reason ?? "a value is required"}.");
            }
        }

        var dynamic = resourceName == DynamicBrokerConfig.ClusterDefaultName
            ? DynamicBrokerConfig.From(next.Configs, image.ConfigsOf(ConfigResourceType.Broker, DynamicBrokerConfig.NodeName(config.NodeId)))
            : DynamicBrokerConfig.From(image.ConfigsOf(ConfigResourceType.Broker, DynamicBrokerConfig.ClusterDefaultName), next.Configs);
        try
        {
            TopicConfigs.CheckApplicable(TopicConfigs.Resolve(config, dynamic, new Dictionary<string, string>()), "new topics");
            foreach (var topic in image.Topics.Keys.Order(StringComparer.Ordinal))
            {
                var overrides = image.ConfigsOf(ConfigResourceType.Topic, topic);
                TopicConfigs.CheckApplicable(TopicConfigs.Resolve(config, dynamic, overrides), $"topic '{topic}'");
            }
        }
        catch (ConfigException exception)
        {
            return (ErrorCode.InvalidConfig, exception.Message);
        }

        return (ErrorCode.None, null);
    }

    // The list a resource's APPEND or SUBTRACT starts from: its own value, else what the layers below give.
    private static List<string> ListBelow(
        ServerConfig config,
        DynamicBrokerConfig dynamic,
        string resourceName,
        Dictionary<string, string> next,
        string name)
    {
        if (next.TryGetValue(name, out var own))
        {
            return [.. own.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        }

        var below = resourceName != DynamicBrokerConfig.ClusterDefaultName && dynamic.TryGetClusterDefault(name, out var clusterDefault)
            ? clusterDefault
            : config.Get(name).Value;
        return below is IReadOnlyList<string> items ? [.. items] : [];
    }

    private static List<KeyValuePair<string, string?>> Diff(ImmutableDictionary<string, string> current, Dictionary<string, string> next)
    {
        var changes = new List<KeyValuePair<string, string?>>();
        foreach (var (name, value) in next.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (!current.TryGetValue(name, out var before) || before != value)
            {
                changes.Add(new(name, value));
            }
        }

        foreach (var name in current.Keys.Where(name => !next.ContainsKey(name)).Order(StringComparer.Ordinal))
        {
            changes.Add(new(name, null));
        }

        return changes;
    }

    /// <summary>
    /// A resource's dynamic set after the request's operations, or the error that stopped them; <see cref="Written"/>
    /// names the keys the request sets, which must be dynamic and valid.
    /// </summary>
    public sealed record NextSet(ErrorCode Error, string? Message, Dictionary<string, string> Configs, IReadOnlyList<string> Written)
    {
        public static NextSet Failed(ErrorCode error, string message) => new(error, message, [], []);
    }
}
