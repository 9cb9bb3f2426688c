using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Rill.Client;
using Rill.Config;
using Rill.Metadata;
using Rill.Protocol;
using Rill.Raft;
using Rill.Raft.Storage;

namespace Rill.Server.Quorum;

/// <summary>
/// This node's member of the metadata quorum (kafka: KafkaRaftManager): the Raft client over <c>__cluster_metadata-0</c>
/// and its <c>quorum-state</c>, its network, and the bridge to the <see cref="MetadataLoader"/>. Commits and leader
/// changes leave the Raft poll thread through one queue and are applied in order on a task of their own, so a slow
/// publish (a topic's logs being created) never holds elections or fetches up.
/// </summary>
internal sealed class MetadataQuorum : IRaftListener, IAsyncDisposable
{
    private readonly KafkaRaftClient _raft;
    private readonly IRaftLog _log;
    private readonly RaftChannel _channel;
    private readonly MetadataLoader _loader;
    private readonly ILogger _logger;
    private readonly SnapshotGenerator _snapshots;
    private readonly Channel<Action> _applies = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _firstCommit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Action<LeaderAndEpoch>> _leaderListeners = [];
    private readonly Task _applying;
    private Task _running = Task.CompletedTask;
    private TaskCompletionSource _leaderChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private MetadataQuorum(KafkaRaftClient raft, IRaftLog log, RaftChannel channel, MetadataLoader loader, SnapshotGenerator snapshots, ILogger logger)
    {
        _raft = raft;
        _snapshots = snapshots;
        _log = log;
        _channel = channel;
        _loader = loader;
        _logger = logger;
        _applying = ApplyAsync();
    }

    public int NodeId { get; private init; }

    /// <summary>The ids of the voters, for messages.</summary>
    public IReadOnlyList<int> VoterIds { get; private init; } = [];

    /// <summary>Who leads the quorum, as this node knows it.</summary>
    public LeaderAndEpoch Leader => _raft.LeaderAndEpoch;

    /// <summary>The Raft client, for the controller listener's Raft requests and DescribeQuorum.</summary>
    public KafkaRaftClient Raft => _raft;

    public static MetadataQuorum Start(
        ServerConfig config,
        string clusterId,
        MetadataLoader loader,
        IKafkaTransport transport,
        TimeProvider time,
        Random random,
        ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger("Rill.Server.Quorum");
        var raftConfig = new RaftConfig(config.NodeId, [.. config.QuorumVoters.Select(voter => voter.NodeId)], clusterId)
        {
            ElectionTimeoutMs = config.ControllerQuorumElectionTimeoutMs,
            ElectionBackoffMaxMs = config.ControllerQuorumElectionBackoffMaxMs,
            FetchTimeoutMs = config.ControllerQuorumFetchTimeoutMs,
            RequestTimeoutMs = config.ControllerQuorumRequestTimeoutMs,
            RetryBackoffMs = config.ControllerQuorumRetryBackoffMs,
            AppendLingerMs = config.ControllerQuorumAppendLingerMs,
            VoterEndpoints = config.ControllerQuorumVoters.ToDictionary(
                voter => voter.NodeId,
                voter => new RaftEndpoint(config.ControllerListenerNames.Count > 0 ? config.ControllerListenerNames[0] : "CONTROLLER", voter.Host, voter.Port)),
        };
        var log = KafkaRaftLog.Open(config.LogDirs[0], time, loggerFactory.CreateLogger<KafkaRaftLog>());
        RaftChannel? channel = null;
        try
        {
            // data_version 0: a static quorum (kraft.version 0), whose voters come from controller.quorum.voters.
            var stateStore = new FileQuorumStateStore(Path.Combine(config.LogDirs[0], LegacyMetadataLog.DirectoryName, FileQuorumStateStore.FileName), dataVersion: 0);
            MigrateLegacyLog(config, log, time, logger);
            channel = new RaftChannel(config, transport, time, logger);
            var raft = new KafkaRaftClient(raftConfig, log, stateStore, channel, time, random, loggerFactory.CreateLogger<KafkaRaftClient>());
            var snapshots = new SnapshotGenerator(raft, config.MetadataLogMaxRecordBytesBetweenSnapshots, config.MetadataLogMaxSnapshotIntervalMs, time, logger);
            var quorum = new MetadataQuorum(raft, log, channel, loader, snapshots, logger) { NodeId = config.NodeId, VoterIds = raftConfig.Voters };
            raft.Register(quorum);
            raft.Initialize();
            quorum._running = raft.RunAsync(quorum._stopping.Token);
            return quorum;
        }
        catch
        {
            log.Dispose();
            throw;
        }
    }

    // Single-node Rill kept its metadata in __cluster_metadata-0/metadata.log; a node that still has it and whose Raft
    // log is empty moves those batches onto the log before the quorum starts, and keeps the old file under another name.
    private static void MigrateLegacyLog(ServerConfig config, KafkaRaftLog log, TimeProvider time, ILogger logger)
    {
        var path = LegacyMetadataLog.PathIn(config.LogDirs[0]);
        if (!File.Exists(path) || log.EndOffset != 0)
        {
            return;
        }

        var batches = LegacyMetadataLog.ReadAll(path, logger);
        RaftLogImport.Append(log, batches.Select(batch => (IReadOnlyList<ReadOnlyMemory<byte>>)[.. batch.Records.Select(Serialize)]), time.GetUtcNow().ToUnixTimeMilliseconds());
        var kept = path + ".migrated";
        File.Move(path, kept, overwrite: true);
        QuorumLog.LegacyLogMigrated(logger, batches.Count, path, kept);
    }

    internal static ReadOnlyMemory<byte> Serialize(ApiMessageAndVersion record)
    {
        var bytes = new byte[MetadataRecordSerde.SizeOf(record)];
        var writer = new KafkaWriter(bytes);
        MetadataRecordSerde.Write(ref writer, record);
        return bytes;
    }

    /// <summary>
    /// Calls <paramref name="listener"/> with the leader as it is now and then with every leader change, on the apply
    /// task, in order with the commits. The quorum runs before its listeners register, and a single voter elects
    /// itself at once: a listener that only heard of later changes would miss that leadership for good.
    /// </summary>
    public void OnLeaderChange(Action<LeaderAndEpoch> listener) =>
        _applies.Writer.TryWrite(() =>
        {
            lock (_leaderListeners)
            {
                _leaderListeners.Add(listener);
            }

            listener(_raft.LeaderAndEpoch);
        });

    /// <summary>Completes at the next leader change (or at once when <paramref name="seen"/> is already out of date).</summary>
    public Task LeaderChangedAsync(LeaderAndEpoch seen, CancellationToken cancellationToken)
    {
        var changed = Volatile.Read(ref _leaderChanged).Task;
        return _raft.LeaderAndEpoch != seen ? Task.CompletedTask : changed.WaitAsync(cancellationToken);
    }

    /// <summary>Appends one batch as leader of <paramref name="epoch"/>; the offset of its last record.</summary>
    /// <exception cref="NotControllerException">This node does not lead <paramref name="epoch"/>.</exception>
    public long Append(int epoch, IReadOnlyList<ApiMessageAndVersion> records)
    {
        var values = new ReadOnlyMemory<byte>[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            values[i] = Serialize(records[i]);
        }

        try
        {
            return _raft.ScheduleAtomicAppend(epoch, values);
        }
        catch (NotLeaderException exception)
        {
            throw new NotControllerException($"Node {NodeId} no longer leads the metadata quorum in epoch {epoch}.", exception);
        }
    }

    /// <summary>
    /// Completes once a leader is known and this node has applied everything the quorum had committed when it first
    /// heard of it: before that, the image may lack topics whose logs are on disk.
    /// </summary>
    public async Task WaitForCatchUpAsync(CancellationToken cancellationToken)
    {
        await _firstCommit.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await _loader.WaitForOffsetAsync(_raft.HighWatermark - 1, cancellationToken).ConfigureAwait(false);
    }

    public void HandleCommit(RaftBatch batch)
    {
        var records = new List<ApiMessageAndVersion>(batch.Records.Count);
        foreach (var value in batch.Records)
        {
            records.Add(MetadataRecordSerde.Read(value));
        }

        var metadataBatch = new MetadataBatch(batch.LastOffset, records);
        _applies.Writer.TryWrite(() =>
        {
            _loader.HandleCommit(metadataBatch);
            _firstCommit.TrySetResult();
            _snapshots.Applied(batch, _loader.Image);
        });
    }

    public void HandleLoadSnapshot(RaftSnapshot snapshot)
    {
        var records = snapshot.Batches.SelectMany(batch => batch.Records).Select(value => MetadataRecordSerde.Read(value)).ToList();
        _applies.Writer.TryWrite(() => _loader.LoadSnapshot(snapshot.SnapshotId.Offset - 1, records));
    }

    public void HandleLeaderChange(LeaderAndEpoch leader)
    {
        var previous = Interlocked.Exchange(ref _leaderChanged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
        _applies.Writer.TryWrite(() =>
        {
            QuorumLog.LeaderChanged(_logger, leader.LeaderId, leader.Epoch);
            Action<LeaderAndEpoch>[] listeners;
            lock (_leaderListeners)
            {
                listeners = [.. _leaderListeners];
            }

            foreach (var listener in listeners)
            {
                listener(leader);
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        _applies.Writer.TryComplete();
        await _applying.ConfigureAwait(false);
        await _snapshots.WhenIdle.ConfigureAwait(false);
        await _channel.DisposeAsync().ConfigureAwait(false);
        _raft.Dispose();
        _log.Dispose();
        _stopping.Dispose();
    }

    // Applies in commit order. A batch whose replay or publish fails (a bug, or a publisher out of file handles) is
    // logged and the node carries on: one failed apply must not stop every later change from reaching the node.
    private async Task ApplyAsync()
    {
        await foreach (var apply in _applies.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                apply();
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                QuorumLog.ApplyFailed(_logger, exception);
            }
        }
    }
}
