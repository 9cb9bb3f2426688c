using System.Text;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Raft.Tests.Simulation;

/// <summary>
/// One seeded run (kafka: <c>RaftEventSimulationTest</c>): the quorum starts, a writer appends through whoever leads,
/// and for <see cref="SimulationOptions.ChaosMs"/> faults hit it (hard kills that lose unflushed data, graceful
/// shutdowns, restarts, isolated nodes, split and one-way partitions, message loss, delays that reorder). Then the
/// network heals and every node restarts, and within <see cref="SimulationOptions.LivenessMs"/> a leader must be elected
/// and an append made after healing must commit on every node. The invariants run after every event.
/// </summary>
internal sealed class RaftSimulation
{
    private const long MaxEvents = 5_000_000;

    private readonly int _seed;
    private readonly SimulationOptions _options;
    private readonly SimulatedCluster _cluster;
    private readonly List<(long Offset, string Value)> _appendsAfterHeal = [];
    private long _chaosEndMs;
    private bool _healed;
    private int _writes;
    private long _committedRecords;
    private int _faults;

    private RaftSimulation(int seed, SimulationOptions options)
    {
        _seed = seed;
        _options = options;
        _cluster = new SimulatedCluster(seed, options);
    }

    private Random Random => _cluster.Scheduler.Random;

    private long NowMs => _cluster.Scheduler.NowMs;

    public static string ReplayCommand(int seed) =>
        $"RILL_SIM_SEED={seed} dotnet test tests/Rill.Raft.Tests --filter \"FullyQualifiedName~RaftSimulationTests.Simulation_Seeds_HoldEveryInvariant\"";

    /// <summary>Runs seed <paramref name="seed"/>; a broken invariant throws a <see cref="SimulationFailure"/> whose message says how to replay it.</summary>
    public static SimulationResult Run(int seed, SimulationOptions options)
    {
        var simulation = new RaftSimulation(seed, options);
        try
        {
            return simulation.Execute();
        }
        catch (SimulationFailure failure)
        {
            throw new SimulationFailure(failure.Invariant, simulation.Report(failure));
        }
    }

    private SimulationResult Execute()
    {
        var network = _cluster.Network;
        network.DropRate = Random.Next(3) == 0 ? 0 : Random.NextDouble() * 0.15;
        network.MaxDelayMs = 1 + Random.Next(30);
        if (_options.DoubleVoter)
        {
            network.RewriteResponse = (node, request, response) =>
                node == 1 && request is VoteRequest vote && response is VoteResponse answer ? VoteAgain(vote, answer) : response;
        }

        foreach (var node in _cluster.Nodes)
        {
            _cluster.Scheduler.At(Random.Next(50), node.Start);
        }

        _chaosEndMs = _options.ChaosMs;
        ScheduleWrite();
        ScheduleFault();
        RunUntilTime(_chaosEndMs);

        Heal();
        var deadline = NowMs + _options.LivenessMs;
        RunUntil(AppendCommittedEverywhereAfterHeal, deadline, "a leader elected and an append committed on every node after the network healed");

        return new SimulationResult(_seed, NowMs, _cluster.Scheduler.EventsRun, network.MessagesSent, _cluster.Checker.LeadersElected,
            _committedRecords, _faults, _cluster.Nodes.Sum(static n => n.Log.TruncationCount), _cluster.Nodes.Sum(static n => n.Log.SnapshotInstallCount));
    }

    /// <summary>Runs every event up to <paramref name="timeMs"/>; there is always a next one (polls, the writer).</summary>
    private void RunUntilTime(long timeMs)
    {
        var scheduler = _cluster.Scheduler;
        while (scheduler.NextEventTimeMs is { } next && next <= timeMs)
        {
            if (scheduler.EventsRun > MaxEvents)
            {
                throw new SimulationFailure("Liveness", $"{MaxEvents} events ran before {timeMs} ms: a livelock");
            }

            scheduler.RunNext();
            _cluster.Checker.CheckAfterEvent();
        }
    }

    private void RunUntil(Func<bool> condition, long deadlineMs, string goal)
    {
        var scheduler = _cluster.Scheduler;
        while (!condition())
        {
            if (scheduler.EventsRun > MaxEvents)
            {
                throw new SimulationFailure("Liveness", $"{MaxEvents} events ran without reaching {goal}: a livelock");
            }

            if (scheduler.NextEventTimeMs is not { } next || next > deadlineMs)
            {
                throw new SimulationFailure("Liveness", $"no {goal} by {deadlineMs} ms");
            }

            scheduler.RunNext();
            _cluster.Checker.CheckAfterEvent();
        }
    }

    private void ScheduleWrite() => _cluster.Scheduler.After(10 + Random.Next(140), () =>
    {
        Write();
        ScheduleWrite();
    });

    private void Write()
    {
        if (_cluster.Leader() is not { IsStopping: false } leader)
        {
            return;
        }

        var count = 1 + Random.Next(3);
        var values = new string[count];
        var records = new ReadOnlyMemory<byte>[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = $"s{_seed}-w{++_writes}";
            records[i] = Encoding.UTF8.GetBytes(values[i]);
        }

        try
        {
            var lastOffset = leader.Client!.ScheduleAtomicAppend(leader.Client.State.Epoch, records);
            if (_healed)
            {
                _appendsAfterHeal.Add((lastOffset, values[^1]));
            }
        }
        catch (NotLeaderException)
        {
            return;
        }

        leader.SchedulePoll(NowMs);
    }

    private void ScheduleFault() => _cluster.Scheduler.After(200 + Random.Next(1_500), () =>
    {
        if (NowMs >= _chaosEndMs)
        {
            return;
        }

        InjectFault();
        ScheduleFault();
    });

    private void InjectFault()
    {
        var roll = Random.Next(100);
        _faults++;
        var running = _cluster.Nodes.Where(static n => n.IsRunning && !n.IsStopping).ToList();
        var network = _cluster.Network;
        switch (roll)
        {
            case < 20 when running.Count > 0:
                Kill(running[Random.Next(running.Count)], crash: Random.Next(4) != 0);
                break;
            case < 32 when _cluster.Leader() is { IsStopping: false } leader:
                if (Random.Next(2) == 0)
                {
                    Kill(leader, crash: true);
                }
                else
                {
                    leader.BeginGracefulStop();
                    RestartLater(leader, 500 + Random.Next(3_000));
                }

                break;
            case < 47:
                var isolated = 1 + Random.Next(_cluster.Nodes.Count);
                network.Partition([isolated], _cluster.NodeIds);
                _cluster.Trace($"node {isolated} isolated");
                HealLater(300 + Random.Next(3_000));
                break;
            case < 57:
                var side = _cluster.NodeIds.Where(_ => Random.Next(2) == 0).ToList();
                network.Partition(side, _cluster.NodeIds);
                _cluster.Trace($"partitioned {string.Join(",", side)} from the rest");
                HealLater(300 + Random.Next(3_000));
                break;
            case < 67:
                var from = 1 + Random.Next(_cluster.Nodes.Count);
                foreach (var to in _cluster.NodeIds.Where(id => id != from && Random.Next(2) == 0))
                {
                    network.Block(from, to);
                }

                _cluster.Trace($"one-way blocks: {network.Describe()}");
                HealLater(300 + Random.Next(3_000));
                break;
            case < 74:
                var rate = network.DropRate;
                network.DropRate = 0.1 + Random.NextDouble() * 0.3;
                _cluster.Trace($"drop rate {network.DropRate:F2}");
                _cluster.Scheduler.After(300 + Random.Next(2_000), () => network.DropRate = _healed ? 0 : rate);
                break;
            case < 77:
                foreach (var node in _cluster.Nodes)
                {
                    Kill(node, crash: true, restartAfterMs: node.Id <= _cluster.MajoritySize ? 200 + Random.Next(800) : 1_500 + Random.Next(3_000));
                }

                break;
        }
    }

    private void Kill(SimulatedNode node, bool crash, int? restartAfterMs = null)
    {
        node.Kill(crash);
        RestartLater(node, restartAfterMs ?? 100 + Random.Next(3_000));
    }

    private void RestartLater(SimulatedNode node, int delayMs) => _cluster.Scheduler.After(delayMs, () =>
    {
        if (node.IsStopping)
        {
            // Still handing over its leadership: come back once it is down.
            RestartLater(node, 50);
        }
        else if (!node.IsRunning)
        {
            node.Start();
        }
    });

    private void HealLater(int delayMs) => _cluster.Scheduler.After(delayMs, () =>
    {
        _cluster.Network.Heal();
        _cluster.Trace("network healed");
    });

    private void Heal()
    {
        _healed = true;
        _cluster.Network.Heal();
        _cluster.Network.DropRate = 0;
        foreach (var node in _cluster.Nodes)
        {
            if (node.IsStopping)
            {
                RestartLater(node, 50);
            }
            else
            {
                node.Start();
            }
        }

        _cluster.Trace("healed: every node running, no faults from now on");
    }

    private bool AppendCommittedEverywhereAfterHeal()
    {
        foreach (var (offset, value) in _appendsAfterHeal)
        {
            if (_cluster.History.TryGetRecord(offset, out var committed) && committed == value
                && _cluster.Nodes.All(n => n.Client is { } client && client.HighWatermark > offset))
            {
                _committedRecords = _cluster.Nodes.Max(static n => n.StateMachine!.Count);
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Voter 1 grants every candidate whose log is up to date with its own, even in an epoch it already voted in: Raft's
    /// vote rule kept, its vote-once rule broken, so only the election-safety check can catch it.
    /// </summary>
    private VoteResponse VoteAgain(VoteRequest request, VoteResponse response)
    {
        var log = _cluster.Node(1).Log;
        foreach (var topic in request.Topics)
        {
            foreach (var candidate in topic.Partitions)
            {
                var upToDate = candidate.LastOffsetEpoch > log.LastFetchedEpoch
                    || candidate.LastOffsetEpoch == log.LastFetchedEpoch && candidate.LastOffset >= log.EndOffset;
                foreach (var answer in response.Topics.SelectMany(static t => t.Partitions))
                {
                    if (answer.ErrorCode == 0 && upToDate)
                    {
                        answer.VoteGranted = true;
                    }
                }
            }
        }

        return response;
    }

    private string Report(SimulationFailure failure) =>
        $"""
        Raft simulation seed {_seed} broke {failure.Invariant} at {NowMs} ms (event {_cluster.Scheduler.EventsRun}): {failure.Message}
        Replay: {ReplayCommand(_seed)}
        Cluster: {_cluster.ConfigSummary}; network {_cluster.Network.Describe()}, drop rate {_cluster.Network.DropRate:F2}
        Nodes:
        {_cluster.DescribeNodes()}
        Recent events:
        {_cluster.RecentTrace()}
        """;
}

/// <summary>What one run did, for the summary line of the test.</summary>
internal sealed record SimulationResult(int Seed, long SimulatedMs, long Events, long Messages, int LeadersElected, long CommittedRecords,
    int Faults, int Truncations, int SnapshotInstalls);
