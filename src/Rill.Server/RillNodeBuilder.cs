using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rill.Client;
using Rill.Config;
using Rill.Server.Observability;

namespace Rill.Server;

/// <summary>
/// Builds a <see cref="RillNode"/> from its configuration (which names its data dirs) and what it runs on: the
/// transport its Kafka listeners accept connections from (sockets unless told otherwise; tests and benchmarks pass
/// an in-memory one), its clock, and its logging. <c>rill serve</c>, tests and benchmarks all start nodes this way.
/// </summary>
public sealed class RillNodeBuilder
{
    private readonly ServerConfig _config;
    private IConnectionListenerFactory? _transport;
    private IKafkaTransport _clientTransport = SocketTransport.Default;
    private TimeProvider _time = TimeProvider.System;
    private Random _random = new();
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private LogLevels? _logLevels;

    public RillNodeBuilder(ServerConfig config)
    {
        _config = config;
    }

    /// <summary>The transport of the Kafka listeners; Kestrel's sockets when not set.</summary>
    public RillNodeBuilder WithTransport(IConnectionListenerFactory transport)
    {
        _transport = transport;
        return this;
    }

    /// <summary>How this node connects to the others (Raft, forwarding to the controller, replica fetches); sockets when not set.</summary>
    public RillNodeBuilder WithClientTransport(IKafkaTransport clientTransport)
    {
        _clientTransport = clientTransport;
        return this;
    }

    /// <summary>The randomness of elections; seeded in tests that replay.</summary>
    public RillNodeBuilder WithRandom(Random random)
    {
        _random = random;
        return this;
    }

    public RillNodeBuilder WithTime(TimeProvider time)
    {
        _time = time;
        return this;
    }

    /// <param name="logLevels">The levels <paramref name="loggerFactory"/> follows, changed through BROKER_LOGGER; null leaves that resource unavailable.</param>
    public RillNodeBuilder WithLogging(ILoggerFactory loggerFactory, LogLevels? logLevels)
    {
        _loggerFactory = loggerFactory;
        _logLevels = logLevels;
        return this;
    }

    public Task<RillNode> StartAsync(CancellationToken cancellationToken)
    {
        var transport = _transport ?? new SocketTransportFactory(Options.Create(new SocketTransportOptions()), _loggerFactory);
        return RillNode.StartAsync(_config, transport, _clientTransport, _time, _random, _loggerFactory, _logLevels, cancellationToken);
    }
}
