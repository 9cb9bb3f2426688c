using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Rill.Client;

namespace Rill.TestKit.Network;

/// <summary>
/// A network inside the test process: nodes listen on it through Kestrel's transport seam
/// (<see cref="ListenerFactory"/>), clients connect to it by host and port (<see cref="ConnectAsync"/>), and every
/// connection is a pair of pipes relayed frame by frame, so a test can drop or delay the frames one host sends
/// another, or cut two hosts apart, and heal it again. Hosts are names ("node-1", "client"); ports are unique
/// across the network, so a connection finds its listener by port whatever address it names.
/// </summary>
public sealed class InMemoryNetwork
{
    private const int FirstPort = 30_000;

    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<int, InMemoryListener> _listeners = new();
    private readonly ConcurrentDictionary<(string From, string To), LinkFault> _faults = new();
    private readonly ConcurrentDictionary<(string From, string To), byte> _cuts = new();
    private readonly ConcurrentDictionary<long, Link> _links = new();
    private readonly ConcurrentDictionary<(string From, string To), long> _dropped = new();
    private int _nextPort = FirstPort - 1;
    private long _nextConnection;

    public InMemoryNetwork(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>The transport a node named <paramref name="host"/> hands to Kestrel: binding port 0 takes a free in-memory port.</summary>
    public IConnectionListenerFactory ListenerFactory(string host) => new Factory(this, host);

    /// <summary>Rill.Client's transport for connections made from <paramref name="from"/>.</summary>
    public IKafkaTransport TransportFor(string from) => new Transport(this, from);

    /// <summary>Opens a connection from <paramref name="from"/> to whoever listens on <paramref name="port"/>.</summary>
    /// <exception cref="KafkaConnectionException">Refused: nothing listens there, or the two hosts are cut apart.</exception>
    public ValueTask<InMemoryClientConnection> ConnectAsync(string from, string host, int port, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_listeners.TryGetValue(port, out var listener) || IsCut(from, listener.Host))
        {
            throw new KafkaConnectionException($"{host}:{port}", "connection refused");
        }

        var toServer = new Pipe();
        var atServer = new Pipe();
        var fromServer = new Pipe();
        var atClient = new Pipe();
        var id = Interlocked.Increment(ref _nextConnection);
        var remote = new IPEndPoint(IPAddress.Loopback, 0);
        Link? link = null;
        var server = new InMemoryConnection(
            $"{from}->{listener.Host}#{id}",
            new DuplexPipe(atServer.Reader, fromServer.Writer),
            listener.EndPoint,
            remote,
            () => link?.Reset());
        link = new Link(from, listener.Host, server);
        _links[id] = link;
        var up = new FrameRelay(toServer.Reader, atServer.Writer, () => FaultOf(from, listener.Host), () => CountDrop(from, listener.Host), _time, link.Resetting).RunAsync();
        var down = new FrameRelay(fromServer.Reader, atClient.Writer, () => FaultOf(listener.Host, from), () => CountDrop(listener.Host, from), _time, link.Resetting).RunAsync();
        _ = Task.WhenAll(up, down).ContinueWith(
            _ =>
            {
                _links.TryRemove(id, out var _);
                server.SignalClosed();
                link.Dispose();
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        if (!listener.TryEnqueue(server))
        {
            link.Reset();
            throw new KafkaConnectionException($"{host}:{port}", "connection refused");
        }

        return ValueTask.FromResult(new InMemoryClientConnection(new DuplexPipe(atClient.Reader, toServer.Writer), link.Reset));
    }

    /// <summary>From now on, frames <paramref name="from"/> sends <paramref name="to"/> meet <paramref name="fault"/>.</summary>
    public void SetFault(string from, string to, LinkFault fault) => _faults[(from, to)] = fault;

    /// <summary>Both ways between two hosts: open connections are reset and new ones refused, until <see cref="Heal"/>.</summary>
    public void Cut(string a, string b)
    {
        _cuts[(a, b)] = 0;
        _cuts[(b, a)] = 0;
        foreach (var link in _links.Values)
        {
            if ((link.From == a && link.To == b) || (link.From == b && link.To == a))
            {
                link.Reset();
            }
        }
    }

    /// <summary>Removes every fault and cut between two hosts, both ways.</summary>
    public void Heal(string a, string b)
    {
        _faults.TryRemove((a, b), out _);
        _faults.TryRemove((b, a), out _);
        _cuts.TryRemove((a, b), out _);
        _cuts.TryRemove((b, a), out _);
    }

    /// <summary>How many frames <paramref name="from"/> sent <paramref name="to"/> were dropped so far.</summary>
    public long DroppedFrames(string from, string to) => _dropped.TryGetValue((from, to), out var count) ? count : 0;

    /// <summary>Hosts with a listener bound now.</summary>
    public IEnumerable<string> ListeningHosts => _listeners.Values.Select(l => l.Host).Distinct();

    private void CountDrop(string from, string to) => _dropped.AddOrUpdate((from, to), 1, (_, count) => count + 1);

    private bool IsCut(string from, string to) => _cuts.ContainsKey((from, to));

    private LinkFault? FaultOf(string from, string to) => _faults.TryGetValue((from, to), out var fault) ? fault : null;

    private InMemoryListener Bind(string host, EndPoint requested)
    {
        var address = requested is IPEndPoint ip ? ip.Address : IPAddress.Loopback;
        var wanted = requested is IPEndPoint { Port: > 0 } fixedPort ? fixedPort.Port : 0;
        while (true)
        {
            var port = wanted > 0 ? wanted : Interlocked.Increment(ref _nextPort);
            var listener = new InMemoryListener(host, new IPEndPoint(address, port), l => _listeners.TryRemove(new(l.Port, l)));
            if (_listeners.TryAdd(port, listener))
            {
                return listener;
            }

            if (wanted > 0)
            {
                throw new AddressInUseException($"In-memory port {wanted} is already bound.");
            }
        }
    }

    private sealed class Factory(InMemoryNetwork network, string host) : IConnectionListenerFactory
    {
        public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult<IConnectionListener>(network.Bind(host, endpoint));
    }

    private sealed class Transport(InMemoryNetwork network, string from) : IKafkaTransport
    {
        public async ValueTask<IKafkaTransportConnection> ConnectAsync(string host, int port, CancellationToken cancellationToken) =>
            await network.ConnectAsync(from, host, port, cancellationToken);
    }

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    /// <summary>
    /// One connection. A reset cancels both relays, which then complete every pipe with a reset (the pipes' ends
    /// belong to the relays, the session and the client, so only their owners complete them).
    /// </summary>
    private sealed class Link(string from, string to, InMemoryConnection server) : IDisposable
    {
        private readonly CancellationTokenSource _resetting = new();
        private readonly Lock _lock = new();
        private bool _disposed;

        public string From => from;

        public string To => to;

        public CancellationToken Resetting => _resetting.Token;

        public void Reset()
        {
            lock (_lock)
            {
                if (!_disposed)
                {
                    _resetting.Cancel();
                }
            }

            server.SignalClosed();
        }

        /// <summary>Called once both relays have finished, when nothing is left to reset.</summary>
        public void Dispose()
        {
            lock (_lock)
            {
                _disposed = true;
                _resetting.Dispose();
            }
        }
    }
}
