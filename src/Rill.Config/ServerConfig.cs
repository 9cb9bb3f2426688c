using Microsoft.Extensions.Logging;

namespace Rill.Config;

/// <summary>
/// The broker's configuration, loaded once at start with Kafka's precedence: defaults &lt;
/// server.properties &lt; RILL_ environment variables &lt; --override key=value. Every value keeps its
/// origin for DescribeConfigs and the start-up print. Immutable: values changed while running are the
/// <see cref="DynamicBrokerConfig"/> layer of each metadata image, resolved over this one.
/// </summary>
public sealed partial class ServerConfig
{
    /// <summary>Environment variables with this prefix are configuration: RILL_LOG_DIRS is log.dirs.</summary>
    public const string EnvironmentPrefix = "RILL_";

    private readonly Dictionary<string, ConfigValue> _values;

    private ServerConfig(Dictionary<string, ConfigValue> values, string? propertiesPath, List<string> loadWarnings)
    {
        _values = values;
        PropertiesPath = propertiesPath;
        Values = [.. BrokerConfigs.All.Select(definition => values[definition.Name])];
        Warnings = [.. loadWarnings, .. Values
            .Where(value => !value.IsDefault && !value.Definition.HasEffect)
            .Select(value => $"{value.Name} ({value.Location}) is accepted but has no effect in Rill.")];

        NodeId = Int(BrokerConfigs.NodeIdConfig);
        ProcessRoles = ParseRoles(List(BrokerConfigs.ProcessRolesConfig)!);
        ClusterId = (string?)Raw(BrokerConfigs.ClusterIdConfig);
        ListenerSecurityProtocolMap = ParseProtocolMap();
        ControllerListenerNames = [.. (List(BrokerConfigs.ControllerListenerNamesConfig) ?? []).Select(name => name.ToUpperInvariant())];
        Listeners = ResolveListeners();
        AdvertisedListeners = ResolveAdvertisedListeners();
        AdvertisedBrokerListeners = [.. AdvertisedListeners.Where(listener => !ControllerListenerNames.Contains(listener.Name))];
        InterBrokerListenerName = ResolveInterBrokerListener();
        ControllerQuorumVoters = [.. List(BrokerConfigs.ControllerQuorumVotersConfig)!.Select(ParseVoter)];
        ControllerQuorumBootstrapServers = [.. List(BrokerConfigs.ControllerQuorumBootstrapServersConfig)!.Select(ParseHostPort)];
        AdminListener = ParseHostPort((string)Raw(BrokerConfigs.AdminListenerConfig)!);
        LogDirs = List(BrokerConfigs.LogDirsConfig) ?? List(BrokerConfigs.LogDirConfig)!;
        LogLevel = Enum.Parse<LogLevel>((string)Raw(BrokerConfigs.LogLevelConfig)!, ignoreCase: true);
        MaxPartitionReplicasPerBroker = Int(BrokerConfigs.MaxPartitionReplicasPerBrokerConfig) is var limit and >= 0
            ? limit
            : OpenFileLimit.PartitionReplicas(OpenFileLimit.Current());
        CheckRolesAndQuorum();
        CheckGroupSessionTimeouts();
        CheckBrokerHeartbeat();
        CheckReplicaFetchWait();
        TopicDefaults = TopicConfigs.Resolve(this, DynamicBrokerConfig.Empty, new Dictionary<string, string>());
    }

    /// <summary>The server.properties file read, or null when none was given.</summary>
    public string? PropertiesPath { get; }

    /// <summary>Every broker key's value, in <see cref="BrokerConfigs.All"/> order.</summary>
    public IReadOnlyList<ConfigValue> Values { get; }

    /// <summary>
    /// Logged once at start: RILL_ variables that name no key, then one line per key set that Rill
    /// accepts but does not act on.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; }

    public int NodeId { get; }

    public ProcessRoles ProcessRoles { get; }

    /// <summary>cluster.id when set; otherwise the node generates one and stores it in meta.properties.</summary>
    public string? ClusterId { get; }

    /// <summary>Listener name (upper case) to protocol, from listener.security.protocol.map.</summary>
    public IReadOnlyDictionary<string, SecurityProtocol> ListenerSecurityProtocolMap { get; }

    /// <summary>controller.listener.names, upper case.</summary>
    public IReadOnlyList<string> ControllerListenerNames { get; }

    /// <summary>Where to bind. Port 0 asks the OS for a free port.</summary>
    public IReadOnlyList<ListenerEndpoint> Listeners { get; }

    /// <summary>
    /// advertised.listeners, or the listeners when unset. An empty host or port 0 here came from the
    /// listeners; the server substitutes the machine's host name and the bound port.
    /// </summary>
    public IReadOnlyList<ListenerEndpoint> AdvertisedListeners { get; }

    /// <summary><see cref="AdvertisedListeners"/> without controller listeners: what Metadata returns to clients.</summary>
    public IReadOnlyList<ListenerEndpoint> AdvertisedBrokerListeners { get; }

    /// <summary>The listener brokers reach each other on; null on a controller-only node.</summary>
    public string? InterBrokerListenerName { get; }

    public IReadOnlyList<QuorumVoter> ControllerQuorumVoters { get; }

    public IReadOnlyList<HostPort> ControllerQuorumBootstrapServers { get; }

    public HostPort AdminListener { get; }

    /// <summary>log.dirs, or log.dir when log.dirs is unset.</summary>
    public IReadOnlyList<string> LogDirs { get; }

    public LogLevel LogLevel { get; }

    /// <summary>Topic keys resolved with no topic overrides and no dynamic broker configs: what a new topic gets before any alter.</summary>
    public EffectiveTopicConfig TopicDefaults { get; }

    public int NumPartitions => Int(BrokerConfigs.NumPartitionsConfig);

    public int ControllerQuorumElectionTimeoutMs => Int(BrokerConfigs.ControllerQuorumElectionTimeoutMsConfig);

    public int ControllerQuorumElectionBackoffMaxMs => Int(BrokerConfigs.ControllerQuorumElectionBackoffMaxMsConfig);

    public int ControllerQuorumFetchTimeoutMs => Int(BrokerConfigs.ControllerQuorumFetchTimeoutMsConfig);

    public int ControllerQuorumRequestTimeoutMs => Int(BrokerConfigs.ControllerQuorumRequestTimeoutMsConfig);

    public int ControllerQuorumRetryBackoffMs => Int(BrokerConfigs.ControllerQuorumRetryBackoffMsConfig);

    public int ControllerQuorumAppendLingerMs => Int(BrokerConfigs.ControllerQuorumAppendLingerMsConfig);

    public long MetadataLogMaxRecordBytesBetweenSnapshots => Long(BrokerConfigs.MetadataLogMaxRecordBytesBetweenSnapshotsConfig);

    public long MetadataLogMaxSnapshotIntervalMs => Long(BrokerConfigs.MetadataLogMaxSnapshotIntervalMsConfig);

    /// <summary>
    /// The voters of the metadata quorum: <c>controller.quorum.voters</c>, or this node alone when it is empty (a node
    /// that is its own cluster).
    /// </summary>
    public IReadOnlyList<QuorumVoter> QuorumVoters => ControllerQuorumVoters.Count > 0
        ? ControllerQuorumVoters
        : [new QuorumVoter(NodeId, "localhost", 0)];

    public int DefaultReplicationFactor => Int(BrokerConfigs.DefaultReplicationFactorConfig);

    public bool AutoCreateTopicsEnable => (bool)Raw(BrokerConfigs.AutoCreateTopicsEnableConfig)!;

    public bool DeleteTopicEnable => (bool)Raw(BrokerConfigs.DeleteTopicEnableConfig)!;

    /// <summary>
    /// max.partition.replicas.per.broker, or when -1 what the process's open-file limit allows (<see cref="OpenFileLimit"/>),
    /// read once at load like every other value.
    /// </summary>
    public int MaxPartitionReplicasPerBroker { get; }

    public int SocketRequestMaxBytes => Int(BrokerConfigs.SocketRequestMaxBytesConfig);

    /// <summary>-1 never closes idle connections.</summary>
    public long ConnectionsMaxIdleMs => Long(BrokerConfigs.ConnectionsMaxIdleMsConfig);

    /// <summary>-1 (or 0) means no limit.</summary>
    public long QueuedMaxRequestBytes => Long(BrokerConfigs.QueuedMaxRequestBytesConfig);

    public int MessageMaxBytes => Int(BrokerConfigs.MessageMaxBytesConfig);

    public long LogRetentionCheckIntervalMs => Long(BrokerConfigs.LogRetentionCheckIntervalMsConfig);

    public long LogFlushSchedulerIntervalMs => Long(BrokerConfigs.LogFlushSchedulerIntervalMsConfig);

    public int LogFlushOffsetCheckpointIntervalMs => Int(BrokerConfigs.LogFlushOffsetCheckpointIntervalMsConfig);

    public long ReplicaLagTimeMaxMs => Long(BrokerConfigs.ReplicaLagTimeMaxMsConfig);

    public int ReplicaFetchWaitMaxMs => Int(BrokerConfigs.ReplicaFetchWaitMaxMsConfig);

    public int ReplicaFetchMinBytes => Int(BrokerConfigs.ReplicaFetchMinBytesConfig);

    public int ReplicaFetchMaxBytes => Int(BrokerConfigs.ReplicaFetchMaxBytesConfig);

    public int ReplicaFetchResponseMaxBytes => Int(BrokerConfigs.ReplicaFetchResponseMaxBytesConfig);

    public int ReplicaFetchBackoffMs => Int(BrokerConfigs.ReplicaFetchBackoffMsConfig);

    public long ReplicaHighWatermarkCheckpointIntervalMs => Long(BrokerConfigs.ReplicaHighWatermarkCheckpointIntervalMsConfig);

    public int OffsetsTopicNumPartitions => Int(BrokerConfigs.OffsetsTopicNumPartitionsConfig);

    public short OffsetsTopicReplicationFactor => (short)Raw(BrokerConfigs.OffsetsTopicReplicationFactorConfig)!;

    public int OffsetsRetentionMinutes => Int(BrokerConfigs.OffsetsRetentionMinutesConfig);

    public long OffsetsRetentionCheckIntervalMs => Long(BrokerConfigs.OffsetsRetentionCheckIntervalMsConfig);

    public int OffsetMetadataMaxBytes => Int(BrokerConfigs.OffsetMetadataMaxBytesConfig);

    public int GroupMaxSize => Int(BrokerConfigs.GroupMaxSizeConfig);

    public int GroupInitialRebalanceDelayMs => Int(BrokerConfigs.GroupInitialRebalanceDelayMsConfig);

    public int GroupMinSessionTimeoutMs => Int(BrokerConfigs.GroupMinSessionTimeoutMsConfig);

    public int GroupMaxSessionTimeoutMs => Int(BrokerConfigs.GroupMaxSessionTimeoutMsConfig);

    public int BrokerSessionTimeoutMs => Int(BrokerConfigs.BrokerSessionTimeoutMsConfig);

    public int BrokerHeartbeatIntervalMs => Int(BrokerConfigs.BrokerHeartbeatIntervalMsConfig);

    /// <summary>broker.rack, or null when unset: the rack this broker registers with.</summary>
    public string? BrokerRack => (string?)Raw(BrokerConfigs.BrokerRackConfig);

    public bool AutoLeaderRebalanceEnable => (bool)Raw(BrokerConfigs.AutoLeaderRebalanceEnableConfig)!;

    public long LeaderImbalanceCheckIntervalSeconds => Long(BrokerConfigs.LeaderImbalanceCheckIntervalSecondsConfig);

    public int LeaderImbalancePerBrokerPercentage => Int(BrokerConfigs.LeaderImbalancePerBrokerPercentageConfig);

    /// <summary>
    /// The start-up print: each "accepted but has no effect" warning once, then the effective
    /// configuration (modified values with their origin, then defaults; secrets masked) at Information.
    /// </summary>
    public void LogEffectiveConfiguration(ILogger logger)
    {
        foreach (var warning in Warnings)
        {
            ConfigLog.IgnoredConfiguration(logger, warning);
        }

        // The modified values at Information keep a start short; the full table with defaults is at Debug.
        if (logger.IsEnabled(LogLevel.Information))
        {
            var text = ConfigPrinter.Render(this, includeDefaults: logger.IsEnabled(LogLevel.Debug));
            ConfigLog.EffectiveConfiguration(logger, text);
        }
    }

    /// <summary>The value and origin of any broker key; throws for a name that is not one.</summary>
    public ConfigValue Get(string name) =>
        _values.TryGetValue(name, out var value)
            ? value
            : throw new ArgumentException($"'{name}' is not a broker configuration.", nameof(name));

    private object? Raw(string name) => _values[name].Value;

    private int Int(string name) => (int)Raw(name)!;

    private long Long(string name) => (long)Raw(name)!;

    private IReadOnlyList<string>? List(string name) => (IReadOnlyList<string>?)Raw(name);

    private ConfigException Invalid(string name, string reason) =>
        new(name, $"Invalid configuration '{name}' (from {_values[name].Location}): {reason}.");
}
