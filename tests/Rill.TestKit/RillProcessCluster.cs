namespace Rill.TestKit;

/// <summary>
/// A cluster of <c>rill serve</c> processes on loopback, combined nodes (broker and controller) that form one
/// metadata quorum, with ports and data directories of their own so that clusters of several tests can run side by
/// side. A node can be killed (SIGKILL), paused (SIGSTOP) and started again on the same ports and data.
/// </summary>
public sealed class RillProcessCluster : IAsyncDisposable
{
    private readonly Dictionary<int, Member> _members = [];
    private readonly IReadOnlyList<string> _overrides;
    private readonly string _clusterId = Rill.Common.Uuid.NewRandom().ToString();
    private string _voters = string.Empty;

    private RillProcessCluster(IReadOnlyList<string> overrides)
    {
        _overrides = overrides;
    }

    public IReadOnlyCollection<int> NodeIds => _members.Keys;

    /// <summary>host:port of every broker, for a client's bootstrap.servers.</summary>
    public string BootstrapServers => string.Join(",", _members.Values.Select(m => $"127.0.0.1:{m.BrokerPort}"));

    public static async Task<RillProcessCluster> StartAsync(int nodes, params string[] overrides)
    {
        var cluster = new RillProcessCluster(overrides);
        try
        {
            for (var id = 1; id <= nodes; id++)
            {
                cluster._members.Add(id, new Member(id, new TempDirectory(), RillProcess.FreePort(), RillProcess.FreePort()));
            }

            cluster._voters = string.Join(",", cluster._members.Values.Select(m => $"{m.Id}@127.0.0.1:{m.ControllerPort}"));
            foreach (var member in cluster._members.Values)
            {
                cluster.Launch(member);
            }

            await Task.WhenAll(cluster._members.Values.Select(m => m.Process!.WaitUntilListeningAsync(TimeSpan.FromSeconds(60))));
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    public RillProcess Node(int nodeId) => _members[nodeId].Process ?? throw new InvalidOperationException($"Node {nodeId} is not running.");

    public int BrokerPort(int nodeId) => _members[nodeId].BrokerPort;

    /// <summary>True while the node's process runs (a paused one included).</summary>
    public bool IsRunning(int nodeId) => _members[nodeId].Process is not null;

    /// <summary>SIGKILL: no flush, no clean-shutdown marker; the data directory stays for <see cref="StartNodeAsync"/>.</summary>
    public async Task KillNodeAsync(int nodeId)
    {
        var member = _members[nodeId];
        if (member.Process is { } process)
        {
            member.Process = null;
            await process.KillAsync();
            await process.DisposeAsync();
        }
    }

    /// <summary>Starts a stopped node again on its ports and data and waits until it listens.</summary>
    public async Task StartNodeAsync(int nodeId)
    {
        var member = _members[nodeId];
        Launch(member);
        await member.Process!.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in _members.Values)
        {
            if (member.Process is { } process)
            {
                member.Process = null;
                if (!process.HasExited)
                {
                    process.Resume();
                }

                await process.DisposeAsync();
            }

            member.Data.Dispose();
        }
    }

    private void Launch(Member member)
    {
        if (member.Process is not null)
        {
            throw new InvalidOperationException($"Node {member.Id} is already running.");
        }

        member.Process = RillProcess.Launch(member.Data.Path, member.BrokerPort, openFileLimit: null, [
            $"node.id={member.Id}",
            $"cluster.id={_clusterId}",
            $"listeners=PLAINTEXT://127.0.0.1:{member.BrokerPort},CONTROLLER://127.0.0.1:{member.ControllerPort}",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "controller.listener.names=CONTROLLER",
            $"controller.quorum.voters={_voters}",
            .. _overrides]);
    }

    private sealed class Member(int id, TempDirectory data, int brokerPort, int controllerPort)
    {
        public int Id => id;

        public TempDirectory Data => data;

        public int BrokerPort => brokerPort;

        public int ControllerPort => controllerPort;

        public RillProcess? Process { get; set; }
    }
}
