using Microsoft.Extensions.Logging.Abstractions;
using Rill.Server;
using Rill.TestKit.Network;

namespace Rill.TestKit;

/// <summary>
/// Several Rill nodes in the test process, each with a data directory of its own, listening on one
/// <see cref="InMemoryNetwork"/> instead of sockets, so that a test can drop, delay or cut the traffic between any
/// two of them (node hosts are named <c>node-{id}</c>). Node ids run from 1. Until the metadata quorum exists each
/// node is a cluster of its own; the replication tests and the deterministic simulation build on this.
/// </summary>
public sealed class RillCluster : IAsyncDisposable
{
    /// <summary>The host name test clients connect from, unless they name another.</summary>
    public const string ClientHost = "client";

    private readonly IReadOnlyList<string> _overrides;
    private readonly Dictionary<int, Member> _members = [];

    private RillCluster(InMemoryNetwork network, IReadOnlyList<string> overrides)
    {
        Network = network;
        _overrides = overrides;
    }

    public InMemoryNetwork Network { get; }

    public IReadOnlyCollection<int> NodeIds => _members.Keys;

    public static async Task<RillCluster> StartAsync(int nodes, params string[] overrides)
    {
        var cluster = new RillCluster(new InMemoryNetwork(TimeProvider.System), overrides);
        try
        {
            for (var id = 1; id <= nodes; id++)
            {
                var member = new Member(id, new TempDirectory());
                cluster._members.Add(id, member);
                await cluster.StartMemberAsync(member);
            }
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

        var config = RillTestNode.Config(member.Data.Path, port: 0, [$"node.id={member.Id}", .. _overrides]);
        member.Node = await new RillNodeBuilder(config)
            .WithTransport(Network.ListenerFactory(HostOf(member.Id)))
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
