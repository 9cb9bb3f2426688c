using Microsoft.Extensions.Logging.Abstractions;
using Rill.Protocol;
using Rill.Protocol.RaftRecords;

namespace Rill.Raft.Tests.Simulation;

/// <summary>
/// One node of the simulated quorum: its persistent state (log, quorum state) outlives its incarnations; a running
/// incarnation is a <see cref="KafkaRaftClient"/> polled by the scheduler whenever it asked to be or something arrived.
/// </summary>
internal sealed class SimulatedNode
{
    private readonly SimulatedCluster _cluster;
    private long _nextPollAtMs = long.MaxValue;

    public SimulatedNode(SimulatedCluster cluster, int id, bool isVoter, MemoryRaftLog log, MemoryQuorumStateStore store)
    {
        _cluster = cluster;
        Id = id;
        IsVoter = isVoter;
        Log = log;
        Store = store;
        store.Written = state => _cluster.Checker.OnQuorumStateWritten(this, state);
    }

    public int Id { get; }

    public bool IsVoter { get; }

    public MemoryRaftLog Log { get; }

    public MemoryQuorumStateStore Store { get; }

    public KafkaRaftClient? Client { get; private set; }

    public SimulatedStateMachine? StateMachine { get; private set; }

    public int Incarnation { get; private set; }

    public bool IsRunning => Client is not null;

    public bool IsStopping { get; private set; }

    /// <summary>The highest high watermark this incarnation has shown, for the monotonic check.</summary>
    public long IncarnationHighWatermark { get; set; } = -1;

    /// <summary>The log below this offset was checked against the committed history in this incarnation.</summary>
    public long CheckedUpTo { get; set; }

    /// <summary>The epoch of the quorum state this node last wrote, or -1.</summary>
    public int StoredEpoch { get; set; } = -1;

    /// <summary>The last epoch in which this incarnation was seen leading, so that each new leadership is checked once.</summary>
    public int CheckedLeaderEpoch { get; set; } = -1;

    public void Start()
    {
        if (IsRunning)
        {
            return;
        }

        Incarnation++;
        IsStopping = false;
        IncarnationHighWatermark = -1;
        CheckedUpTo = Log.StartOffset;
        CheckedLeaderEpoch = -1;
        var incarnation = Incarnation;
        Client = new KafkaRaftClient(_cluster.Config(Id), Log, Store, new Channel(_cluster, this, incarnation), _cluster.Scheduler.Time,
            new Random(_cluster.Scheduler.Random.Next()), NullLogger<KafkaRaftClient>.Instance);
        StateMachine = new SimulatedStateMachine(_cluster, this);
        Client.Register(StateMachine);
        Client.Initialize();
        _cluster.Trace($"node {Id} started (incarnation {incarnation}) as {Client.State}, log {Log.StartOffset}-{Log.EndOffset}");
        _nextPollAtMs = long.MaxValue;
        SchedulePoll(_cluster.Scheduler.NowMs);
    }

    /// <summary>Stops the incarnation at once; a hard kill (<paramref name="crash"/>) also loses what was not flushed.</summary>
    public void Kill(bool crash)
    {
        if (!IsRunning)
        {
            return;
        }

        Client!.Dispose();
        Client = null;
        StateMachine = null;
        IsStopping = false;
        if (crash)
        {
            Log.Crash();
        }
        else
        {
            Log.Flush();
        }

        _cluster.Trace($"node {Id} {(crash ? "killed" : "stopped")}, log {Log.StartOffset}-{Log.EndOffset}");
    }

    /// <summary>A graceful shutdown as RunAsync does it on cancellation: a leader resigns and hands over, then the node stops.</summary>
    public void BeginGracefulStop()
    {
        if (!IsRunning || IsStopping)
        {
            return;
        }

        IsStopping = true;
        Client!.BeginShutdown();
        _cluster.Trace($"node {Id} shutting down as {Client.State}");
        SchedulePoll(_cluster.Scheduler.NowMs);
    }

    public void SchedulePoll(long atMs)
    {
        if (!IsRunning || atMs >= _nextPollAtMs)
        {
            return;
        }

        _nextPollAtMs = atMs;
        var incarnation = Incarnation;
        _cluster.Scheduler.At(atMs, () => Poll(incarnation, atMs));
    }

    private void Poll(int incarnation, long scheduledAtMs)
    {
        if (incarnation != Incarnation || !IsRunning || scheduledAtMs != _nextPollAtMs)
        {
            return;
        }

        _nextPollAtMs = long.MaxValue;
        TimeSpan timeout;
        try
        {
            timeout = Client!.Poll();
        }
        catch (SimulationFailure)
        {
            throw;
        }
        catch (Exception exception)
        {
            throw new SimulationFailure("NoException", $"node {Id} failed in Poll: {exception}");
        }

        if (IsStopping && Client.IsShutdownComplete)
        {
            Kill(crash: false);
            return;
        }

        SchedulePoll(_cluster.Scheduler.NowMs + (long)timeout.TotalMilliseconds);
    }

    private sealed class Channel(SimulatedCluster cluster, SimulatedNode node, int incarnation) : IRaftChannel
    {
        public void Send(int destinationId, IApiMessage request, Action<IKafkaMessage?> onResponse) =>
            cluster.Network.Send(node, incarnation, destinationId, request, onResponse);
    }
}

/// <summary>A failed check of the simulation, named so that a report says which invariant broke.</summary>
internal sealed class SimulationFailure(string invariant, string message) : Exception(message)
{
    public string Invariant { get; } = invariant;
}

/// <summary>The durable state a node wrote, as the checks see it.</summary>
internal readonly record struct StoredQuorumState(int Epoch, int LeaderId, int VotedId)
{
    public static StoredQuorumState From(QuorumStateData data) => new(data.LeaderEpoch, data.LeaderId, data.VotedId);
}
