using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Raft.Tests.Simulation;

/// <summary>
/// The router between simulated nodes (kafka: <c>RaftEventSimulationTest.MessageRouter</c>): every request and response
/// crosses the wire codec, takes a random delay (so messages overtake each other), may be dropped, and stops at a
/// blocked link (one way or both). A request that gets no answer fails with null after the request timeout, as
/// <see cref="IRaftChannel"/> promises; one to a node that is down fails at once.
/// </summary>
internal sealed class SimulatedNetwork
{
    private readonly EventScheduler _scheduler;
    private readonly Func<int, SimulatedNode> _node;
    private readonly int _requestTimeoutMs;
    private readonly HashSet<(int From, int To)> _blocked = [];

    public SimulatedNetwork(EventScheduler scheduler, Func<int, SimulatedNode> node, int requestTimeoutMs)
    {
        _scheduler = scheduler;
        _node = node;
        _requestTimeoutMs = requestTimeoutMs;
    }

    public double DropRate { get; set; }

    public int MinDelayMs { get; set; } = 1;

    public int MaxDelayMs { get; set; } = 5;

    /// <summary>Rewrites a node's answer to a request before it leaves: the simulation's own tests plant a broken rule here.</summary>
    public Func<int, object, IKafkaMessage, IKafkaMessage>? RewriteResponse { get; set; }

    public long MessagesSent { get; private set; }

    public void Block(int from, int to) => _blocked.Add((from, to));

    /// <summary>Cuts every link between <paramref name="side"/> and the other nodes, both ways.</summary>
    public void Partition(IReadOnlyCollection<int> side, IEnumerable<int> all)
    {
        foreach (var other in all)
        {
            if (side.Contains(other))
            {
                continue;
            }

            foreach (var node in side)
            {
                _blocked.Add((node, other));
                _blocked.Add((other, node));
            }
        }
    }

    public void Heal() => _blocked.Clear();

    public string Describe() => _blocked.Count == 0
        ? "connected"
        : string.Join(" ", _blocked.OrderBy(static l => l.From).ThenBy(static l => l.To).Select(static l => $"{l.From}-x>{l.To}"));

    public void Send(SimulatedNode from, int fromIncarnation, int to, IApiMessage request, Action<IKafkaMessage?> onResponse)
    {
        var apiKey = WireCodec.ApiKeyOf(request);
        var version = WireCodec.VersionOf(apiKey);
        var bytes = WireCodec.Write(request, version);
        MessagesSent++;
        var completed = false;
        void Complete(IKafkaMessage? response)
        {
            if (completed)
            {
                return;
            }

            completed = true;
            if (from.Incarnation == fromIncarnation && from.IsRunning)
            {
                onResponse(response);
                from.SchedulePoll(_scheduler.NowMs);
            }
        }

        _scheduler.After(_requestTimeoutMs, () => Complete(null));
        if (!Passes(from.Id, to))
        {
            return;
        }

        _scheduler.After(Delay(), () =>
        {
            var target = _node(to);
            if (!target.IsRunning)
            {
                _scheduler.After(Delay(), () => Complete(null));
                return;
            }

            var parsed = WireCodec.ReadRequest(apiKey, bytes, version);
            target.Client!.HandleRequest(parsed, response =>
            {
                if (RewriteResponse is { } rewrite)
                {
                    response = rewrite(to, parsed, response);
                }

                var responseBytes = WireCodec.Write(response, version);
                MessagesSent++;
                if (Passes(to, from.Id))
                {
                    _scheduler.After(Delay(), () => Complete(WireCodec.ReadResponse(apiKey, responseBytes, version)));
                }
            });
            target.SchedulePoll(_scheduler.NowMs);
        });
    }

    private bool Passes(int from, int to) => !_blocked.Contains((from, to)) && (DropRate <= 0 || _scheduler.Random.NextDouble() >= DropRate);

    private int Delay() => MinDelayMs + _scheduler.Random.Next(MaxDelayMs - MinDelayMs + 1);
}
