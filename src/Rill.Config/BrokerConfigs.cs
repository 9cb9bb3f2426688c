using System.Diagnostics.CodeAnalysis;
using Rill.Common;

namespace Rill.Config;

/// <summary>
/// Every broker key Rill accepts, one definition each (kafka: ServerLogConfigs' _CONFIG/_DEFAULT/_DOC).
/// Keys marked ignored are Kafka's: accepted so a Kafka server.properties starts, reported once as having
/// no effect. Topic defaults (log.segment.bytes, ...) are here; the topic keys they feed are in <see cref="TopicConfigs"/>.
/// </summary>
public static class BrokerConfigs
{
    // Node and roles
    public const string NodeIdConfig = "node.id";
    public const string ProcessRolesConfig = "process.roles";
    public const string ClusterIdConfig = "cluster.id";

    // Listeners
    public const string ListenersConfig = "listeners";
    public const string AdvertisedListenersConfig = "advertised.listeners";
    public const string ListenerSecurityProtocolMapConfig = "listener.security.protocol.map";
    public const string InterBrokerListenerNameConfig = "inter.broker.listener.name";
    public const string SecurityInterBrokerProtocolConfig = "security.inter.broker.protocol";
    public const string ControllerListenerNamesConfig = "controller.listener.names";
    public const string ControllerQuorumVotersConfig = "controller.quorum.voters";
    public const string ControllerQuorumBootstrapServersConfig = "controller.quorum.bootstrap.servers";
    public const string ControllerQuorumElectionTimeoutMsConfig = "controller.quorum.election.timeout.ms";
    public const string ControllerQuorumElectionBackoffMaxMsConfig = "controller.quorum.election.backoff.max.ms";
    public const string ControllerQuorumFetchTimeoutMsConfig = "controller.quorum.fetch.timeout.ms";
    public const string ControllerQuorumRequestTimeoutMsConfig = "controller.quorum.request.timeout.ms";
    public const string ControllerQuorumRetryBackoffMsConfig = "controller.quorum.retry.backoff.ms";
    public const string ControllerQuorumAppendLingerMsConfig = "controller.quorum.append.linger.ms";
    public const string MetadataLogMaxRecordBytesBetweenSnapshotsConfig = "metadata.log.max.record.bytes.between.snapshots";
    public const string MetadataLogMaxSnapshotIntervalMsConfig = "metadata.log.max.snapshot.interval.ms";
    public const string AdminListenerConfig = "admin.listener";

    // Network limits
    public const string SocketRequestMaxBytesConfig = "socket.request.max.bytes";
    public const string ConnectionsMaxIdleMsConfig = "connections.max.idle.ms";
    public const string QueuedMaxRequestBytesConfig = "queued.max.request.bytes";

    // Logs and topics
    public const string LogDirsConfig = "log.dirs";
    public const string LogDirConfig = "log.dir";
    public const string NumPartitionsConfig = "num.partitions";
    public const string DefaultReplicationFactorConfig = "default.replication.factor";
    public const string AutoCreateTopicsEnableConfig = "auto.create.topics.enable";
    public const string DeleteTopicEnableConfig = "delete.topic.enable";
    public const string MaxPartitionReplicasPerBrokerConfig = "max.partition.replicas.per.broker";
    public const string LogRetentionCheckIntervalMsConfig = "log.retention.check.interval.ms";
    public const string LogFlushSchedulerIntervalMsConfig = "log.flush.scheduler.interval.ms";
    public const string LogFlushOffsetCheckpointIntervalMsConfig = "log.flush.offset.checkpoint.interval.ms";

    // Topic defaults (broker synonyms of topic keys)
    public const string LogSegmentBytesConfig = "log.segment.bytes";
    public const string LogRollMsConfig = "log.roll.ms";
    public const string LogRollHoursConfig = "log.roll.hours";
    public const string LogRollJitterMsConfig = "log.roll.jitter.ms";
    public const string LogRollJitterHoursConfig = "log.roll.jitter.hours";
    public const string LogRetentionMsConfig = "log.retention.ms";
    public const string LogRetentionMinutesConfig = "log.retention.minutes";
    public const string LogRetentionHoursConfig = "log.retention.hours";
    public const string LogRetentionBytesConfig = "log.retention.bytes";
    public const string LogIndexSizeMaxBytesConfig = "log.index.size.max.bytes";
    public const string LogIndexIntervalBytesConfig = "log.index.interval.bytes";
    public const string LogFlushIntervalMessagesConfig = "log.flush.interval.messages";
    public const string LogFlushIntervalMsConfig = "log.flush.interval.ms";
    public const string MessageMaxBytesConfig = "message.max.bytes";
    public const string LogMessageTimestampTypeConfig = "log.message.timestamp.type";
    public const string LogMessageTimestampBeforeMaxMsConfig = "log.message.timestamp.before.max.ms";
    public const string LogMessageTimestampAfterMaxMsConfig = "log.message.timestamp.after.max.ms";
    public const string LogCleanupPolicyConfig = "log.cleanup.policy";
    public const string MinInSyncReplicasConfig = "min.insync.replicas";
    public const string CompressionTypeConfig = "compression.type";
    public const string LogCleanerDeleteRetentionMsConfig = "log.cleaner.delete.retention.ms";
    public const string LogCleanerMinCompactionLagMsConfig = "log.cleaner.min.compaction.lag.ms";
    public const string LogCleanerMaxCompactionLagMsConfig = "log.cleaner.max.compaction.lag.ms";
    public const string LogCleanerMinCleanableRatioConfig = "log.cleaner.min.cleanable.ratio";
    public const string LogSegmentDeleteDelayMsConfig = "log.segment.delete.delay.ms";
    public const string LogPreallocateConfig = "log.preallocate";
    public const string UncleanLeaderElectionEnableConfig = "unclean.leader.election.enable";

    // Replication
    public const string ReplicaLagTimeMaxMsConfig = "replica.lag.time.max.ms";
    public const string ReplicaFetchWaitMaxMsConfig = "replica.fetch.wait.max.ms";
    public const string ReplicaFetchMinBytesConfig = "replica.fetch.min.bytes";
    public const string ReplicaFetchMaxBytesConfig = "replica.fetch.max.bytes";
    public const string ReplicaFetchResponseMaxBytesConfig = "replica.fetch.response.max.bytes";
    public const string ReplicaFetchBackoffMsConfig = "replica.fetch.backoff.ms";
    public const string ReplicaHighWatermarkCheckpointIntervalMsConfig = "replica.high.watermark.checkpoint.interval.ms";

    // Group coordinator
    public const string OffsetsTopicNumPartitionsConfig = "offsets.topic.num.partitions";
    public const string OffsetsTopicReplicationFactorConfig = "offsets.topic.replication.factor";
    public const string OffsetsRetentionMinutesConfig = "offsets.retention.minutes";
    public const string OffsetsRetentionCheckIntervalMsConfig = "offsets.retention.check.interval.ms";
    public const string OffsetMetadataMaxBytesConfig = "offset.metadata.max.bytes";
    public const string GroupMaxSizeConfig = "group.max.size";
    public const string GroupInitialRebalanceDelayMsConfig = "group.initial.rebalance.delay.ms";
    public const string GroupMinSessionTimeoutMsConfig = "group.min.session.timeout.ms";
    public const string GroupMaxSessionTimeoutMsConfig = "group.max.session.timeout.ms";

    // Cluster: broker sessions, placement and leadership
    public const string BrokerSessionTimeoutMsConfig = "broker.session.timeout.ms";
    public const string BrokerHeartbeatIntervalMsConfig = "broker.heartbeat.interval.ms";
    public const string BrokerRackConfig = "broker.rack";
    public const string AutoLeaderRebalanceEnableConfig = "auto.leader.rebalance.enable";
    public const string LeaderImbalanceCheckIntervalSecondsConfig = "leader.imbalance.check.interval.seconds";
    public const string LeaderImbalancePerBrokerPercentageConfig = "leader.imbalance.per.broker.percentage";

    // Rill's own
    public const string LogLevelConfig = "log.level";

    public const string LongMaxText = "9223372036854775807";

    private static readonly string[] LogLevels = ["Trace", "Debug", "Information", "Warning", "Error"];

    private static readonly Dictionary<string, ConfigDefinition> ByName = Build();

    /// <summary>Every broker key, in the order docs/configuration.md lists them.</summary>
    public static IReadOnlyList<ConfigDefinition> All { get; } = [.. ByName.Values];

    public static bool TryGet(string name, [NotNullWhen(true)] out ConfigDefinition? definition) =>
        ByName.TryGetValue(name, out definition);

    public static ConfigDefinition Get(string name) =>
        ByName.TryGetValue(name, out var definition)
            ? definition
            : throw new ArgumentException($"'{name}' is not a broker configuration.", nameof(name));

    /// <summary>RILL_ + the key upper-cased with dots as underscores: log.dirs is RILL_LOG_DIRS.</summary>
    public static string EnvironmentVariableName(string name) =>
        ServerConfig.EnvironmentPrefix + name.Replace('.', '_').ToUpperInvariant();

    private static Dictionary<string, ConfigDefinition> Build()
    {
        var t = new Dictionary<string, ConfigDefinition>(StringComparer.Ordinal);

        Applied(t, NodeIdConfig, ConfigType.Int, "1", ConfigValidator.AtLeast(0),
            "This node's id, unique in the cluster; broker and controller share it.");
        Applied(t, ProcessRolesConfig, ConfigType.List, "broker,controller", ConfigValidator.NonEmptyListOf("broker", "controller"),
            "Roles this node runs: broker, controller, or both (a combined node).");
        Applied(t, ClusterIdConfig, ConfigType.String, null, ClusterIdValidator(),
            "Rill: cluster id to use on first start (22-character base64url); generated and stored when unset.");

        Applied(t, ListenersConfig, ConfigType.List, "PLAINTEXT://localhost:9092", ListenersValidator(advertised: false),
            "Addresses to accept connections on, NAME://host:port, comma separated; empty host = every interface, port 0 = any free port.");
        Applied(t, AdvertisedListenersConfig, ConfigType.List, null, ListenersValidator(advertised: true),
            "Addresses given to clients, NAME://host:port; when unset, the listeners are advertised.");
        Applied(t, ListenerSecurityProtocolMapConfig, ConfigType.String, "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
            ConfigValidator.Custom("NAME:PROTOCOL, ...", value => ListenerParser.TryParseProtocolMap((string)value, out _)),
            "Security protocol of each listener name; Rill serves only PLAINTEXT for now.");
        Applied(t, InterBrokerListenerNameConfig, ConfigType.String, null, null,
            "Listener brokers use to reach each other; when unset, the first listener that is not a controller listener.");
        Applied(t, SecurityInterBrokerProtocolConfig, ConfigType.String, "PLAINTEXT",
            ConfigValidator.OneOf("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"),
            "Protocol between brokers when inter.broker.listener.name is unset; only PLAINTEXT is served.");
        Applied(t, ControllerListenerNamesConfig, ConfigType.List, null, null,
            "Names of the listeners the controller uses; a controller-only listener is PLAINTEXT unless mapped.");
        Applied(t, ControllerQuorumVotersConfig, ConfigType.List, "", VotersValidator(),
            "Static controller quorum, id@host:port, comma separated; empty = this node alone.");
        Applied(t, ControllerQuorumBootstrapServersConfig, ConfigType.List, "", HostPortsValidator(),
            "Kafka 4's dynamic quorum (KIP-853); Rill accepts it only as the node's own controller listener (a quorum of one) and refuses other controllers.");
        Applied(t, ControllerQuorumElectionTimeoutMsConfig, ConfigType.Int, "1000", ConfigValidator.AtLeast(1),
            "How long a voter waits without hearing from a leader before it stands for election, randomised up to twice this.");
        Applied(t, ControllerQuorumElectionBackoffMaxMsConfig, ConfigType.Int, "1000", ConfigValidator.AtLeast(0),
            "The most a candidate that lost an election waits before standing again.");
        Applied(t, ControllerQuorumFetchTimeoutMsConfig, ConfigType.Int, "2000", ConfigValidator.AtLeast(1),
            "A follower that has not fetched from the leader for this long stands for election.");
        Applied(t, ControllerQuorumRequestTimeoutMsConfig, ConfigType.Int, "2000", ConfigValidator.AtLeast(1),
            "How long a quorum request waits for its answer.");
        Applied(t, ControllerQuorumRetryBackoffMsConfig, ConfigType.Int, "20", ConfigValidator.AtLeast(0),
            "Wait before retrying a failed quorum request.");
        Applied(t, ControllerQuorumAppendLingerMsConfig, ConfigType.Int, "25", ConfigValidator.AtLeast(0),
            "How long the active controller gathers metadata records into one batch.");
        Applied(t, MetadataLogMaxRecordBytesBetweenSnapshotsConfig, ConfigType.Long, "20971520", ConfigValidator.AtLeast(1),
            "Bytes of metadata records after the latest snapshot that make the node write a new one.");
        Applied(t, MetadataLogMaxSnapshotIntervalMsConfig, ConfigType.Long, "3600000", ConfigValidator.AtLeast(0),
            "Longest time between metadata snapshots when records arrived since the last; 0 = by size only.");
        Applied(t, AdminListenerConfig, ConfigType.String, "127.0.0.1:9644", HostPortValidator(),
            "Rill: host:port of the HTTP admin endpoint (/metrics, /health).");

        Applied(t, SocketRequestMaxBytesConfig, ConfigType.Int, "104857600", ConfigValidator.AtLeast(1),
            "Largest request frame accepted; a bigger size prefix closes the connection.");
        Applied(t, ConnectionsMaxIdleMsConfig, ConfigType.Long, "600000", ConfigValidator.AtLeast(-1),
            "Close a connection idle this long; -1 never closes.");
        Applied(t, QueuedMaxRequestBytesConfig, ConfigType.Long, "-1", ConfigValidator.AtLeast(-1),
            "Bytes of requests read and not yet answered, across all connections, before reading pauses; -1 = no limit. A connection holding none may always send one.");

        Applied(t, LogDirsConfig, ConfigType.List, null, DirectoriesValidator(),
            "Data directories, comma separated; when unset, log.dir is used.");
        Applied(t, LogDirConfig, ConfigType.List, "./data", DirectoriesValidator(),
            "Data directory used when log.dirs is unset.");
        Applied(t, NumPartitionsConfig, ConfigType.Int, "1", ConfigValidator.AtLeast(1),
            "Partitions of a topic created without a count (auto-created or -1).");
        Applied(t, DefaultReplicationFactorConfig, ConfigType.Int, "1", ConfigValidator.AtLeast(1),
            "Replicas of a topic created without a replication factor.");
        Applied(t, AutoCreateTopicsEnableConfig, ConfigType.Boolean, "true", null,
            "Create a topic when a client asks for metadata of one that does not exist.");
        Applied(t, DeleteTopicEnableConfig, ConfigType.Boolean, "true", null,
            "Allow DeleteTopics; when false it is refused.");
        Applied(t, MaxPartitionReplicasPerBrokerConfig, ConfigType.Int, "-1", ConfigValidator.AtLeast(-1),
            "Rill: most partition replicas one broker holds; CreateTopics, CreatePartitions and auto-creation beyond it are refused with POLICY_VIOLATION. -1 derives it from the open-file limit.");
        Applied(t, LogRetentionCheckIntervalMsConfig, ConfigType.Long, "300000", ConfigValidator.AtLeast(1),
            "How often segments past retention are looked for.");
        Applied(t, LogFlushSchedulerIntervalMsConfig, ConfigType.Long, LongMaxText, ConfigValidator.AtLeast(0),
            "How often the flusher looks for logs due a flush; also flush.ms's last fallback.");
        Applied(t, LogFlushOffsetCheckpointIntervalMsConfig, ConfigType.Int, "60000", ConfigValidator.AtLeast(0),
            "How often the recovery-point checkpoint is written.");

        Dynamic(t, LogSegmentBytesConfig, ConfigType.Int, "1073741824", ConfigValidator.AtLeast(1048576),
            "Default segment.bytes: size at which a segment is closed and a new one started.");
        Dynamic(t, LogRollMsConfig, ConfigType.Long, null, ConfigValidator.AtLeast(1),
            "Default segment.ms, in milliseconds; wins over log.roll.hours.");
        Applied(t, LogRollHoursConfig, ConfigType.Int, "168", ConfigValidator.AtLeast(1),
            "Default segment.ms, in hours, when log.roll.ms is unset.");
        Dynamic(t, LogRetentionMsConfig, ConfigType.Long, null, ConfigValidator.AtLeast(-1),
            "Default retention.ms; wins over minutes and hours; -1 keeps data forever.");
        Applied(t, LogRetentionMinutesConfig, ConfigType.Int, null, ConfigValidator.AtLeast(-1),
            "Default retention.ms, in minutes, when log.retention.ms is unset.");
        Applied(t, LogRetentionHoursConfig, ConfigType.Int, "168", ConfigValidator.AtLeast(-1),
            "Default retention.ms, in hours, when the ms and minutes keys are unset.");
        Dynamic(t, LogRetentionBytesConfig, ConfigType.Long, "-1", null,
            "Default retention.bytes: partition size above which old segments are deleted; -1 = no limit.");
        Dynamic(t, LogIndexSizeMaxBytesConfig, ConfigType.Int, "10485760", ConfigValidator.AtLeast(4),
            "Default segment.index.bytes: largest offset index per segment.");
        Dynamic(t, LogIndexIntervalBytesConfig, ConfigType.Int, "4096", ConfigValidator.AtLeast(0),
            "Default index.interval.bytes: bytes between offset index entries.");
        Dynamic(t, LogFlushIntervalMessagesConfig, ConfigType.Long, LongMaxText, ConfigValidator.AtLeast(1),
            "Default flush.messages: fsync after this many messages.");
        Dynamic(t, LogFlushIntervalMsConfig, ConfigType.Long, null, ConfigValidator.AtLeast(0),
            "Default flush.ms: fsync when the oldest unflushed message is this old; unset = log.flush.scheduler.interval.ms.");
        Dynamic(t, MessageMaxBytesConfig, ConfigType.Int, "1048588", ConfigValidator.AtLeast(0),
            "Default max.message.bytes: largest record batch accepted.");
        Dynamic(t, LogMessageTimestampTypeConfig, ConfigType.String, "CreateTime", ConfigValidator.OneOf("CreateTime", "LogAppendTime"),
            "Default message.timestamp.type: keep the producer's timestamp or stamp the append time.");
        Dynamic(t, LogMessageTimestampBeforeMaxMsConfig, ConfigType.Long, LongMaxText, ConfigValidator.AtLeast(0),
            "Default message.timestamp.before.max.ms: how far in the past a CreateTime timestamp may be.");
        Dynamic(t, LogMessageTimestampAfterMaxMsConfig, ConfigType.Long, "3600000", ConfigValidator.AtLeast(0),
            "Default message.timestamp.after.max.ms: how far in the future a CreateTime timestamp may be.");
        Dynamic(t, LogSegmentDeleteDelayMsConfig, ConfigType.Long, "60000", ConfigValidator.AtLeast(0),
            "Default file.delete.delay.ms: how long a deleted segment's files stay for reads in flight.");
        Dynamic(t, LogCleanupPolicyConfig, ConfigType.List, "delete", ConfigValidator.NonEmptyListOf("delete", "compact"),
            "Default cleanup.policy: delete old segments, compact by key, or both.");
        Applied(t, MinInSyncReplicasConfig, ConfigType.Int, "1", ConfigValidator.AtLeast(1),
            "Default min.insync.replicas: in-sync replicas an acks=all write needs.");
        Ignored(t, CompressionTypeConfig, ConfigType.String, "producer", CompressionTypes(),
            "Default compression.type; Rill stores batches as the producer compressed them.");
        Ignored(t, LogRollJitterMsConfig, ConfigType.Long, null, ConfigValidator.AtLeast(0),
            "Default segment.jitter.ms.");
        Ignored(t, LogRollJitterHoursConfig, ConfigType.Int, "0", ConfigValidator.AtLeast(0),
            "Default segment.jitter.ms, in hours.");
        Dynamic(t, LogCleanerDeleteRetentionMsConfig, ConfigType.Long, "86400000", ConfigValidator.AtLeast(0),
            "Default delete.retention.ms.");
        Dynamic(t, LogCleanerMinCompactionLagMsConfig, ConfigType.Long, "0", ConfigValidator.AtLeast(0),
            "Default min.compaction.lag.ms.");
        Dynamic(t, LogCleanerMaxCompactionLagMsConfig, ConfigType.Long, LongMaxText, ConfigValidator.AtLeast(1),
            "Default max.compaction.lag.ms.");
        Dynamic(t, LogCleanerMinCleanableRatioConfig, ConfigType.Double, "0.5", ConfigValidator.Between(0, 1),
            "Default min.cleanable.dirty.ratio.");
        Ignored(t, LogPreallocateConfig, ConfigType.Boolean, "false", null,
            "Default preallocate.");
        Dynamic(t, UncleanLeaderElectionEnableConfig, ConfigType.Boolean, "false", null,
            "Default unclean.leader.election.enable: let the controller elect a replica outside the ISR when no ISR member is alive, losing data.");

        Applied(t, ReplicaLagTimeMaxMsConfig, ConfigType.Long, "30000", ConfigValidator.AtLeast(1),
            "A follower that has not caught up with the leader's log end for this long leaves the ISR; the leader checks every half of it.");
        Applied(t, ReplicaFetchWaitMaxMsConfig, ConfigType.Int, "500", ConfigValidator.AtLeast(0),
            "Longest a follower's fetch waits at the leader for replica.fetch.min.bytes; at most replica.lag.time.max.ms.");
        Applied(t, ReplicaFetchMinBytesConfig, ConfigType.Int, "1", ConfigValidator.AtLeast(1),
            "Record bytes a follower's fetch waits for before the leader answers.");
        Applied(t, ReplicaFetchMaxBytesConfig, ConfigType.Int, "1048576", ConfigValidator.AtLeast(0),
            "Record bytes a follower asks for per partition; a larger first batch still comes whole.");
        Applied(t, ReplicaFetchResponseMaxBytesConfig, ConfigType.Int, "10485760", ConfigValidator.AtLeast(0),
            "Record bytes a follower asks for per fetch over all partitions; a larger first batch still comes whole.");
        Applied(t, ReplicaFetchBackoffMsConfig, ConfigType.Int, "1000", ConfigValidator.AtLeast(0),
            "How long a follower waits before fetching again after a failed fetch or connection.");
        Applied(t, ReplicaHighWatermarkCheckpointIntervalMsConfig, ConfigType.Long, "5000", ConfigValidator.AtLeast(1),
            "How often each data directory's replication-offset-checkpoint (the partitions' high watermarks) is written.");

        Applied(t, OffsetsTopicNumPartitionsConfig, ConfigType.Int, "50", ConfigValidator.AtLeast(1),
            "Partitions of __consumer_offsets, fixed when it is created.");
        Applied(t, OffsetsTopicReplicationFactorConfig, ConfigType.Short, "1", ConfigValidator.AtLeast(1),
            "Replicas of __consumer_offsets; Rill defaults to 1 (Kafka: 3) so a single node works unconfigured.");
        Applied(t, OffsetsRetentionMinutesConfig, ConfigType.Int, "10080", ConfigValidator.AtLeast(1),
            "How long committed offsets of an empty group are kept.");
        Applied(t, OffsetsRetentionCheckIntervalMsConfig, ConfigType.Long, "600000", ConfigValidator.AtLeast(1),
            "How often the group coordinator looks for expired offsets.");
        Applied(t, OffsetMetadataMaxBytesConfig, ConfigType.Int, "4096", ConfigValidator.AtLeast(0),
            "The longest metadata string a client may commit with an offset.");
        Applied(t, GroupMaxSizeConfig, ConfigType.Int, "2147483647", ConfigValidator.AtLeast(1),
            "The most members a classic group may have.");
        Applied(t, GroupInitialRebalanceDelayMsConfig, ConfigType.Int, "3000", ConfigValidator.AtLeast(0),
            "Wait for more members before the first rebalance of a new classic group.");
        Applied(t, GroupMinSessionTimeoutMsConfig, ConfigType.Int, "6000", ConfigValidator.AtLeast(1),
            "Smallest session timeout a classic group member may ask for.");
        Applied(t, GroupMaxSessionTimeoutMsConfig, ConfigType.Int, "1800000", ConfigValidator.AtLeast(1),
            "Largest session timeout a classic group member may ask for.");

        Applied(t, BrokerSessionTimeoutMsConfig, ConfigType.Int, "9000", ConfigValidator.AtLeast(1),
            "The active controller fences a broker that has not heartbeated for this long, moving its leaderships.");
        Applied(t, BrokerHeartbeatIntervalMsConfig, ConfigType.Int, "2000", ConfigValidator.AtLeast(1),
            "How often a broker heartbeats to the active controller.");
        Applied(t, BrokerRackConfig, ConfigType.String, null, null,
            "The broker's rack; the controller spreads each partition's replicas across racks.");
        Applied(t, AutoLeaderRebalanceEnableConfig, ConfigType.Boolean, "true", null,
            "Move leadership back to each partition's preferred replica when brokers' leadership is imbalanced.");
        Applied(t, LeaderImbalanceCheckIntervalSecondsConfig, ConfigType.Long, "300", ConfigValidator.AtLeast(1),
            "How often the active controller checks for leadership imbalance.");
        Applied(t, LeaderImbalancePerBrokerPercentageConfig, ConfigType.Int, "10", ConfigValidator.AtLeast(0),
            "Share of a broker's preferred partitions led elsewhere above which the controller rebalances them.");

        Applied(t, LogLevelConfig, ConfigType.String, "Information", ConfigValidator.OneOfIgnoreCase(LogLevels),
            "Rill: least severe log level written: Trace, Debug, Information, Warning or Error.");

        // Kafka keys accepted so that a Kafka server.properties starts; Rill has no such knob.
        Ignored(t, "num.network.threads", ConfigType.Int, "3", ConfigValidator.AtLeast(1),
            "Kafka's network thread count; Rill's connections run on the .NET thread pool.");
        Ignored(t, "num.io.threads", ConfigType.Int, "8", ConfigValidator.AtLeast(1),
            "Kafka's request handler thread count; Rill uses the thread pool.");
        Ignored(t, "background.threads", ConfigType.Int, "10", ConfigValidator.AtLeast(1),
            "Kafka's background thread count; Rill uses the thread pool.");
        Ignored(t, "num.recovery.threads.per.data.dir", ConfigType.Int, "2", ConfigValidator.AtLeast(1),
            "Kafka's log recovery threads per data directory.");
        Ignored(t, "num.replica.fetchers", ConfigType.Int, "1", null,
            "Kafka's replica fetcher threads per source broker.");
        Ignored(t, "num.replica.alter.log.dirs.threads", ConfigType.Int, null, null,
            "Kafka's threads moving replicas between data directories.");
        Ignored(t, "group.coordinator.threads", ConfigType.Int, "4", ConfigValidator.AtLeast(1),
            "Kafka's group coordinator thread count.");
        Ignored(t, "log.cleaner.threads", ConfigType.Int, "1", ConfigValidator.AtLeast(0),
            "Kafka's log cleaner thread count.");
        Ignored(t, "log.cleaner.enable", ConfigType.Boolean, "true", null,
            "Kafka's switch for the log cleaner.");
        Ignored(t, "log.cleaner.dedupe.buffer.size", ConfigType.Long, "134217728", null,
            "Kafka's log cleaner dedupe memory.");
        Ignored(t, "socket.send.buffer.bytes", ConfigType.Int, "102400", null,
            "Kafka's SO_SNDBUF; Rill leaves the OS default.");
        Ignored(t, "socket.receive.buffer.bytes", ConfigType.Int, "102400", null,
            "Kafka's SO_RCVBUF; Rill leaves the OS default.");
        Ignored(t, "socket.listen.backlog.size", ConfigType.Int, "50", ConfigValidator.AtLeast(1),
            "Kafka's accept backlog.");
        Ignored(t, "queued.max.requests", ConfigType.Int, "500", ConfigValidator.AtLeast(1),
            "Kafka's request queue length; Rill bounds bytes with queued.max.request.bytes.");
        Ignored(t, "max.connections", ConfigType.Int, "2147483647", ConfigValidator.AtLeast(0),
            "Kafka's broker-wide connection limit.");
        Ignored(t, "max.connections.per.ip", ConfigType.Int, "2147483647", ConfigValidator.AtLeast(0),
            "Kafka's per-address connection limit.");
        Ignored(t, "log.flush.start.offset.checkpoint.interval.ms", ConfigType.Int, "60000", ConfigValidator.AtLeast(0),
            "Kafka's log-start-offset checkpoint interval.");
        Ignored(t, "transaction.state.log.replication.factor", ConfigType.Short, "3", ConfigValidator.AtLeast(1),
            "Replicas of __transaction_state; Rill has no transactions yet.");
        Ignored(t, "transaction.state.log.min.isr", ConfigType.Int, "2", ConfigValidator.AtLeast(1),
            "min.insync.replicas of __transaction_state.");
        Ignored(t, "transaction.state.log.num.partitions", ConfigType.Int, "50", ConfigValidator.AtLeast(1),
            "Partitions of __transaction_state.");
        Ignored(t, "share.coordinator.state.topic.replication.factor", ConfigType.Short, "3", ConfigValidator.AtLeast(1),
            "Replicas of the share-group state topic; Rill has no share groups.");
        Ignored(t, "share.coordinator.state.topic.min.isr", ConfigType.Short, "2", ConfigValidator.AtLeast(1),
            "min.insync.replicas of the share-group state topic.");
        Ignored(t, "metadata.log.dir", ConfigType.String, null, null,
            "Kafka's separate metadata log directory; Rill keeps metadata in the first data directory.");
        Ignored(t, "ssl.keystore.location", ConfigType.String, null, null,
            "Kafka's TLS key store; Rill serves no TLS yet.");
        Ignored(t, "ssl.keystore.password", ConfigType.Password, null, null,
            "Kafka's TLS key store password.");
        Ignored(t, "ssl.key.password", ConfigType.Password, null, null,
            "Kafka's TLS private key password.");
        Ignored(t, "ssl.truststore.location", ConfigType.String, null, null,
            "Kafka's TLS trust store.");
        Ignored(t, "ssl.truststore.password", ConfigType.Password, null, null,
            "Kafka's TLS trust store password.");

        return t;
    }

    private static void Applied(Dictionary<string, ConfigDefinition> table, string name, ConfigType type, string? defaultText, ConfigValidator? validator, string doc) =>
        table.Add(name, new ConfigDefinition(name, type, defaultText, validator, doc, ConfigScope.Broker, isDynamic: false, hasEffect: true, []));

    // A topic default that can change while running (kafka: DynamicLogConfig.ReconfigurableConfigs, the first broker
    // synonym of each topic key); only those Rill applies to its logs are marked, so an alter of the others is refused.
    private static void Dynamic(Dictionary<string, ConfigDefinition> table, string name, ConfigType type, string? defaultText, ConfigValidator? validator, string doc) =>
        table.Add(name, new ConfigDefinition(name, type, defaultText, validator, doc, ConfigScope.Broker, isDynamic: true, hasEffect: true, []));

    private static void Ignored(Dictionary<string, ConfigDefinition> table, string name, ConfigType type, string? defaultText, ConfigValidator? validator, string doc) =>
        table.Add(name, new ConfigDefinition(name, type, defaultText, validator, doc, ConfigScope.Broker, isDynamic: false, hasEffect: false, []));

    internal static ConfigValidator CompressionTypes() =>
        ConfigValidator.OneOf("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer");

    private static ConfigValidator ClusterIdValidator() =>
        ConfigValidator.Custom("22-character base64url id", value =>
        {
            var text = (string)value;
            try
            {
                return text.Length == 22 && Uuid.Parse(text) != Uuid.Zero ? null : "must be a non-zero 22-character base64url id";
            }
            catch (FormatException)
            {
                return "must be a non-zero 22-character base64url id";
            }
        });

    private static ConfigValidator ListenersValidator(bool advertised) =>
        ConfigValidator.Custom("NAME://host:port, ...", value =>
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            var addresses = new HashSet<HostPort>();
            foreach (var item in (IReadOnlyList<string>)value)
            {
                var reason = ListenerParser.TryParseListener(item, out var name, out var address);
                if (reason is not null)
                {
                    return reason;
                }

                if (!names.Add(name))
                {
                    return $"listener name {name} is used twice";
                }

                if (advertised && address.Host is "0.0.0.0" or "::")
                {
                    return $"'{item}' advertises the wildcard address {address.Host}; clients cannot connect to it";
                }

                if (advertised && address.Port == 0)
                {
                    return $"'{item}' advertises port 0";
                }

                if (address.Port != 0 && !addresses.Add(address))
                {
                    return $"'{item}' uses host and port of another listener";
                }
            }

            return null;
        });

    private static ConfigValidator VotersValidator() =>
        ConfigValidator.Custom("id@host:port, ...", value =>
        {
            var ids = new HashSet<int>();
            foreach (var item in (IReadOnlyList<string>)value)
            {
                var reason = ListenerParser.TryParseVoter(item, out var voter);
                if (reason is not null)
                {
                    return reason;
                }

                if (!ids.Add(voter.NodeId))
                {
                    return $"voter id {voter.NodeId} is listed twice";
                }
            }

            return null;
        });

    private static ConfigValidator HostPortsValidator() =>
        ConfigValidator.Custom("host:port, ...", value =>
        {
            foreach (var item in (IReadOnlyList<string>)value)
            {
                var reason = ListenerParser.TryParseHostPort(item, out _);
                if (reason is not null)
                {
                    return reason;
                }
            }

            return null;
        });

    private static ConfigValidator HostPortValidator() =>
        ConfigValidator.Custom("host:port", value => ListenerParser.TryParseHostPort((string)value, out _));

    private static ConfigValidator DirectoriesValidator() =>
        ConfigValidator.Custom("non-empty list of directories, no repeats", value =>
        {
            var items = (IReadOnlyList<string>)value;
            if (items.Count == 0)
            {
                return "must name at least one directory";
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in items)
            {
                if (!seen.Add(item))
                {
                    return $"directory '{item}' is listed twice";
                }
            }

            return null;
        });
}
