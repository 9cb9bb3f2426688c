using Microsoft.Extensions.Logging.Abstractions;
using Rill.Server;
using Rill.TestKit.Network;

namespace Rill.TestKit;

/// <summary>
/// A Rill cluster in the test process: combined nodes (broker and controller), each with a data directory of its own,
/// listening on one <see cref="InMemoryNetwork"/> instead of sockets and reaching each other through it, so that a
/// test can drop, delay or cut the traffic between any two of them (node hosts are named <c>node-{id}</c>). Node ids
/// run from 1; every node is a voter of the metadata quorum, on its controller listener at <see cref="ControllerPort"/>.
/// </summary>
public sealed class RillCluster : IAsyncDisposable
{
    /// <summary>The host name test clients connect from, unless they name another.</summary>
    public const string ClientHost = "client";

    private const int ControllerPortBase = 29_000;

    private readonly IReadOnlyList<string> _overrides;
    private readonly Dictionary<int, Member> _members = [];
    private readonly string _clusterId = Rill.Common.Uuid.NewRandom().ToString();
    private string _voters = string.Empty;

    private RillCluster(InMemoryNetwork network, IReadOnlyList<string> overrides)
    {
        Network = network;
        _overrides = overrides;
    }

    /// <summary>The in-memory port of node <paramref name="nodeId"/>'s controller listener.</summary>
    public static int ControllerPort(int nodeId) => ControllerPortBase + nodeId;

    public InMemoryNetwork Network { get; }

    public IReadOnlyCollection<int> NodeIds => _members.Keys;

    public static async Task<RillCluster> StartAsync(int nodes, params string[] overrides)
    {
        var cluster = new RillCluster(new InMemoryNetwork(TimeProvider.System), overrides);
        cluster._voters = string.Join(",", Enumerable.Range(1, nodes).Select(id => $"{id}@{HostOf(id)}:{ControllerPort(id)}"));
        try
        {
            for (var id = 1; id <= nodes; id++)
            {
                cluster._members.Add(id, new Member(id, new TempDirectory()));
            }

            // Together: each node's start waits for a majority of the quorum to elect a leader.
            await Task.WhenAll(cluster._members.Values.Select(cluster.StartMemberAsync));

            // Each start returned once the controller unfenced that broker; tests begin once every node has seen all of it.
            await Eventually.UntilAsync(
                () => cluster._members.Values.All(m => m.Node!.Metadata.Image.Brokers.Values.Count(b => !b.Fenced) == nodes),
                TimeSpan.FromSeconds(30),
                "every node to see every broker unfenced");
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    public static string HostOf(int nodeId) => $"node-{nodeId}";

    public RillNode Node(int nodeId) => _members[nodeId].Node ?? throw new InvalidOperationException($"Node {nodeId} is stopped.");

    /// <summary>A connection from <paramref name="from"/> to the first listener of node <paramref name="nodeId"/>.</summary>
    public ValueTask<InMemoryClientConnection> ConnectAsync(int nodeId, string from = ClientHost) =>
        Network.ConnectAsync(from, "127.0.0.1", Node(nodeId).BoundListeners[0].Port, CancellationToken.None);

    /// <summary>The node that is the active controller, as the running nodes' quorum members see it; throws when none is.</summary>
    public int ActiveController()
    {
        var running = _members.Values.Where(m => m.Node is not null).Select(m => m.Node!).ToList();
        return running.Select(node => node.ActiveControllerId).FirstOrDefault(id => id >= 0 && running.Any(n => n.NodeId == id && n.IsActiveController)) is var id and > 0
            ? id
            : throw new InvalidOperationException("No running node is the active controller.");
    }

    /// <summary>Stops a node cleanly; its data directory stays for <see cref="StartNodeAsync"/>.</summary>
    public async Task StopNodeAsync(int nodeId)
    {
        var member = _members[nodeId];
        if (member.Node is { } node)
        {
            member.Node = null;
            await node.DisposeAsync();
        }
    }

    public Task StartNodeAsync(int nodeId) => StartMemberAsync(_members[nodeId]);

    public async ValueTask DisposeAsync()
    {
        foreach (var member in _members.Values)
        {
            if (member.Node is { } node)
            {
                member.Node = null;
                await node.DisposeAsync();
            }

            member.Data.Dispose();
        }
    }

    private async Task StartMemberAsync(Member member)
    {
        if (member.Node is not null)
        {
            throw new InvalidOperationException($"Node {member.Id} is already running.");
        }

        var config = RillTestNode.Config(member.Data.Path, port: 0, [
            $"node.id={member.Id}",
            $"cluster.id={_clusterId}",
            $"listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:{ControllerPort(member.Id)}",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "controller.listener.names=CONTROLLER",
            $"controller.quorum.voters={_voters}",
            .. _overrides]);
        member.Node = await new RillNodeBuilder(config)
            .WithTransport(Network.ListenerFactory(HostOf(member.Id)))
            .WithClientTransport(Network.TransportFor(HostOf(member.Id)))
            .WithLogging(NullLoggerFactory.Instance, logLevels: null)
            .StartAsync(CancellationToken.None);
    }

    private sealed class Member(int id, TempDirectory data)
    {
        public int Id => id;

        public TempDirectory Data => data;

        public RillNode? Node { get; set; }
    }
}
