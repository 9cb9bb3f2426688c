namespace Rill.Raft.Tests.Simulation;

/// <summary>The nodes of one simulation, the scheduler and network they share, and the history and checks over them.</summary>
internal sealed class SimulatedCluster
{
    private const int TraceLength = 60;

    private readonly Queue<string> _trace = new();
    private readonly RaftConfig _template;

    public SimulatedCluster(int seed, SimulationOptions options)
    {
        Scheduler = new EventScheduler(seed);
        var random = Scheduler.Random;
        VoterCount = options.Voters ?? (random.Next(10) < 7 ? 3 : 5);
        ObserverCount = options.Observers ?? (random.Next(4) == 0 ? 1 : 0);
        SnapshotEvery = 5 + random.Next(40);
        var voters = Enumerable.Range(1, VoterCount).ToArray();
        _template = new RaftConfig(0, voters, "simulated-cluster")
        {
            ElectionTimeoutMs = 500,
            ElectionBackoffMaxMs = 500,
            FetchTimeoutMs = 1_000,
            RequestTimeoutMs = 1_000,
            RetryBackoffMs = 20,
            AppendLingerMs = random.Next(3) == 0 ? 5 : 0,
            FetchMaxWaitMs = 250,

            // Now and then small enough that fetches and snapshot downloads come in several slices.
            FetchMaxBytes = random.Next(4) == 0 ? 256 + random.Next(2_048) : 1 << 20,
        };
        Network = new SimulatedNetwork(Scheduler, id => Nodes[id - 1], _template.RequestTimeoutMs);
        Checker = new InvariantChecker(this);
        for (var id = 1; id <= VoterCount + ObserverCount; id++)
        {
            var log = new MemoryRaftLog { FlushIsALie = options.BrokenFlush };
            var store = new MemoryQuorumStateStore { ForgetsVotes = options.ForgetfulVotes };
            Nodes.Add(new SimulatedNode(this, id, isVoter: id <= VoterCount, log, store));
        }
    }

    public EventScheduler Scheduler { get; }

    public SimulatedNetwork Network { get; }

    public InvariantChecker Checker { get; }

    public CommittedHistory History { get; } = new();

    public List<SimulatedNode> Nodes { get; } = [];

    public int VoterCount { get; }

    public int ObserverCount { get; }

    public int MajoritySize => VoterCount / 2 + 1;

    /// <summary>How many committed records a node applies between its snapshots.</summary>
    public int SnapshotEvery { get; }

    public string ConfigSummary =>
        $"{VoterCount} voters, {ObserverCount} observers, linger {_template.AppendLingerMs} ms, fetch max {_template.FetchMaxBytes} bytes, snapshot every {SnapshotEvery} records";

    public RaftConfig Config(int nodeId) => _template with { NodeId = nodeId };

    public SimulatedNode Node(int id) => Nodes[id - 1];

    public IEnumerable<int> NodeIds => Nodes.Select(static n => n.Id);

    /// <summary>The running node that leads the newest epoch, if any.</summary>
    public SimulatedNode? Leader()
    {
        SimulatedNode? leader = null;
        foreach (var node in Nodes)
        {
            if (node.Client is { IsLeader: true } client && (leader is null || client.State.Epoch > leader.Client!.State.Epoch))
            {
                leader = node;
            }
        }

        return leader;
    }

    public void Trace(string line)
    {
        if (_trace.Count == TraceLength)
        {
            _trace.Dequeue();
        }

        _trace.Enqueue($"{Scheduler.NowMs,7} ms  {line}");
    }

    public string RecentTrace() => string.Join(Environment.NewLine, _trace);

    public string DescribeNodes() => string.Join(Environment.NewLine, Nodes.Select(static n =>
        $"  node {n.Id}: {(n.Client is { } c ? $"{c.State} hw {c.HighWatermark}" : "down")}, log {n.Log.StartOffset}-{n.Log.EndOffset} (durable {n.Log.DurableOffset})"));
}

/// <summary>What a simulation run varies beyond the seed: fixed sizes for focused runs, and the broken rules its own tests plant.</summary>
internal sealed record SimulationOptions
{
    public int? Voters { get; init; }

    public int? Observers { get; init; }

    /// <summary>How long faults are injected before the network heals and every node restarts.</summary>
    public int ChaosMs { get; init; } = 8_000;

    /// <summary>How long after healing a leader must be elected and a new append committed on every node.</summary>
    public int LivenessMs { get; init; } = 30_000;

    public bool BrokenFlush { get; init; }

    public bool ForgetfulVotes { get; init; }

    /// <summary>Voter 1 grants every up-to-date candidate, also a second one in an epoch: a node that votes twice.</summary>
    public bool DoubleVoter { get; init; }
}
