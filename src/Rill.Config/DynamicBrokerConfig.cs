using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Rill.Config;

/// <summary>
/// The dynamic layer of the broker configuration (kafka: DynamicBrokerConfig): values set while running with
/// AlterConfigs / IncrementalAlterConfigs on a BROKER resource and kept as ConfigRecords in the metadata log.
/// The cluster default (resource name "") applies to every broker; a broker's own values (resource name = its
/// node id) win over the default; both win over server.properties, environment and --override. Built from one
/// metadata image, so it is immutable and consistent with the topics of that image.
/// </summary>
public sealed class DynamicBrokerConfig
{
    /// <summary>The resource name of the cluster-wide default.</summary>
    public const string ClusterDefaultName = "";

    private readonly Dictionary<string, object> _perBroker;
    private readonly Dictionary<string, object> _clusterDefault;

    private DynamicBrokerConfig(Dictionary<string, object> clusterDefault, Dictionary<string, object> perBroker, List<string> ignored)
    {
        _clusterDefault = clusterDefault;
        _perBroker = perBroker;
        Ignored = ignored;
    }

    /// <summary>No dynamic values: the configuration as loaded at start.</summary>
    public static DynamicBrokerConfig Empty { get; } = new([], [], []);

    /// <summary>
    /// Stored entries left out because Rill cannot use them: a key that is unknown or not dynamic, or a value that no
    /// longer validates (written by another version). Kafka ignores such entries the same way, with an error log.
    /// </summary>
    public IReadOnlyList<string> Ignored { get; }

    /// <summary>The keys set at the cluster default, in <see cref="BrokerConfigs.All"/> order.</summary>
    public IEnumerable<ConfigDefinition> ClusterDefaultKeys =>
        BrokerConfigs.All.Where(definition => _clusterDefault.ContainsKey(definition.Name));

    /// <summary>Parses stored values; entries Rill cannot use go to <see cref="Ignored"/> instead.</summary>
    public static DynamicBrokerConfig From(IReadOnlyDictionary<string, string> clusterDefault, IReadOnlyDictionary<string, string> perBroker)
    {
        if (clusterDefault.Count == 0 && perBroker.Count == 0)
        {
            return Empty;
        }

        var ignored = new List<string>();
        return new DynamicBrokerConfig(
            Parse(clusterDefault, "cluster default", ignored),
            Parse(perBroker, "this broker", ignored),
            ignored);
    }

    /// <summary>The BROKER resource name of a node: its id in decimal.</summary>
    public static string NodeName(int nodeId) => nodeId.ToString(CultureInfo.InvariantCulture);

    /// <summary>This broker's own dynamic value of <paramref name="name"/>, parsed.</summary>
    public bool TryGetPerBroker(string name, [NotNullWhen(true)] out object? value) => _perBroker.TryGetValue(name, out value);

    /// <summary>The cluster default dynamic value of <paramref name="name"/>, parsed.</summary>
    public bool TryGetClusterDefault(string name, [NotNullWhen(true)] out object? value) => _clusterDefault.TryGetValue(name, out value);

    private static Dictionary<string, object> Parse(IReadOnlyDictionary<string, string> stored, string layer, List<string> ignored)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, text) in stored.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (!BrokerConfigs.TryGet(name, out var definition))
            {
                ignored.Add($"Dynamic config {name} ({layer}) is not a broker configuration; it is ignored.");
                continue;
            }

            if (!definition.IsDynamic)
            {
                ignored.Add($"Dynamic config {name} ({layer}) cannot be updated dynamically; it is ignored.");
                continue;
            }

            var value = definition.Parse(text, out var reason);
            if (value is null)
            {
                ignored.Add($"Dynamic config {name} ({layer}) has the invalid value '{text}' ({reason ?? "a value is required"}); it is ignored.");
                continue;
            }

            values.Add(name, value);
        }

        return values;
    }
}
