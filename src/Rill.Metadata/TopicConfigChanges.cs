using Rill.Common;
using Rill.Config;

namespace Rill.Metadata;

/// <summary>
/// Turns AlterConfigs / IncrementalAlterConfigs requests on a TOPIC into the changes the controller records: the new
/// set of topic overrides is computed and validated whole, inside the controller, before anything is written. The
/// operation numbers are shared with <see cref="BrokerConfigChanges"/>.
/// </summary>
public static class TopicConfigChanges
{
    public const sbyte Set = 0;
    public const sbyte Delete = 1;
    public const sbyte Append = 2;
    public const sbyte Subtract = 3;

    /// <summary>Applies the operations to the topic's overrides; returns the error, or None with the changes to record.</summary>
    public static (ErrorCode Error, string? Message, List<KeyValuePair<string, string?>> Changes) Incremental(
        ServerConfig config,
        DynamicBrokerConfig dynamic,
        IReadOnlyDictionary<string, string> current,
        IEnumerable<(string Name, sbyte Operation, string? Value)> operations)
    {
        var next = new Dictionary<string, string>(current, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, operation, value) in operations)
        {
            if (!seen.Add(name))
            {
                return (ErrorCode.InvalidRequest, $"Config '{name}' appears more than once.", []);
            }

            if (!TopicConfigs.TryGet(name, out var definition))
            {
                return (ErrorCode.InvalidConfig, $"'{name}' is not a topic config.", []);
            }

            switch (operation)
            {
                case Set when value is not null:
                    next[name] = value;
                    break;
                case Delete:
                    next.Remove(name);
                    break;
                case Append or Subtract when definition.Type != ConfigType.List:
                    // Kafka's wording (ConfigAdminManager.prepareIncrementalConfigs), which clients' tests match on.
                    return (ErrorCode.InvalidConfig, $"Config value {(operation == Append ? "append" : "subtract")} is not allowed for config key: {name}", []);
                case Append or Subtract when value is not null:
                    var effective = TopicConfigs.Resolve(config, dynamic, next).Get(name).Value ?? string.Empty;
                    var items = effective.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
                    var operands = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (operation == Append)
                    {
                        items.AddRange(operands.Where(o => !items.Contains(o, StringComparer.Ordinal)));
                    }
                    else
                    {
                        items.RemoveAll(i => operands.Contains(i, StringComparer.Ordinal));
                    }

                    next[name] = string.Join(',', items);
                    break;
                case Set or Append or Subtract:
                    return (ErrorCode.InvalidRequest, $"Config '{name}' needs a value for this operation.", []);
                default:
                    return (ErrorCode.InvalidRequest, $"Config operation {operation} is not one of SET (0), DELETE (1), APPEND (2), SUBTRACT (3).", []);
            }
        }

        return Validated(config, dynamic, current, next);
    }

    /// <summary>AlterConfigs semantics: the given configs replace every override the topic had.</summary>
    public static (ErrorCode Error, string? Message, List<KeyValuePair<string, string?>> Changes) Replace(
        ServerConfig config,
        DynamicBrokerConfig dynamic,
        IReadOnlyDictionary<string, string> current,
        IEnumerable<(string Name, string? Value)> configs)
    {
        var next = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in configs)
        {
            if (value is null)
            {
                return (ErrorCode.InvalidConfig, $"Config '{name}' has a null value.", []);
            }

            if (!next.TryAdd(name, value))
            {
                return (ErrorCode.InvalidRequest, $"Config '{name}' appears more than once.", []);
            }
        }

        return Validated(config, dynamic, current, next);
    }

    private static (ErrorCode, string?, List<KeyValuePair<string, string?>>) Validated(
        ServerConfig config,
        DynamicBrokerConfig dynamic,
        IReadOnlyDictionary<string, string> current,
        Dictionary<string, string> next)
    {
        try
        {
            TopicConfigs.CheckApplicable(TopicConfigs.Resolve(config, dynamic, next), "the topic");
        }
        catch (ConfigException exception)
        {
            return (ErrorCode.InvalidConfig, exception.Message, []);
        }

        var changes = new List<KeyValuePair<string, string?>>();
        foreach (var (name, value) in next)
        {
            if (!current.TryGetValue(name, out var before) || before != value)
            {
                changes.Add(new(name, value));
            }
        }

        foreach (var name in current.Keys.Where(k => !next.ContainsKey(k)))
        {
            changes.Add(new(name, null));
        }

        return (ErrorCode.None, null, changes);
    }

    /// <summary>
    /// The changes to record for one topic resource, decided on <paramref name="image"/>: nothing when the topic does
    /// not exist, anything is wrong or the request only validates.
    /// </summary>
    public static (ErrorCode Error, string? Message, List<KeyValuePair<string, string?>> Changes) Decide(
        MetadataImage image,
        int nodeId,
        string topic,
        bool validateOnly,
        Func<IReadOnlyDictionary<string, string>, DynamicBrokerConfig, (ErrorCode Error, string? Message, List<KeyValuePair<string, string?>> Changes)> compute)
    {
        if (!image.Topics.ContainsKey(topic))
        {
            return (ErrorCode.UnknownTopicOrPartition, $"Topic '{topic}' does not exist.", []);
        }

        var (error, message, changes) = compute(image.ConfigsOf(ConfigResourceType.Topic, topic), image.DynamicConfigOf(nodeId));
        return (error, message, error == ErrorCode.None && !validateOnly ? changes : []);
    }
}
