using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rill.Config;
using Rill.Server.Observability;

namespace Rill.Server.Network;

/// <summary>
/// The Kafka listeners of a node: one Kestrel server over the transport the node was built with (sockets in
/// production, in-memory pipes in tests), a <see cref="KafkaConnectionHandler"/> per configured listener.
/// </summary>
public sealed class KafkaListeners : IDisposable
{
    private readonly KestrelServer _kestrel;

    private KafkaListeners(KestrelServer kestrel, IReadOnlyList<ListenerEndpoint> bound)
    {
        _kestrel = kestrel;
        Bound = bound;
    }

    /// <summary>The listeners with the ports actually bound (port 0 in the config becomes a real port).</summary>
    public IReadOnlyList<ListenerEndpoint> Bound { get; }

    /// <param name="listeners">The listeners this pipeline serves: the broker's, or the controller's.</param>
    public static async Task<KafkaListeners> StartAsync(
        IReadOnlyList<ListenerEndpoint> listeners,
        RequestPipeline pipeline,
        SessionConfig sessionConfig,
        IConnectionListenerFactory transport,
        NetworkMetrics metrics,
        ILoggerFactory loggerFactory,
        CancellationToken stopping,
        CancellationToken cancellationToken)
    {
        var options = new KestrelServerOptions
        {
            ApplicationServices = new ServiceCollection().AddSingleton(loggerFactory).BuildServiceProvider(),
            AddServerHeader = false,
        };
        options.Limits.MaxConcurrentConnections = null;
        var sessionLogger = loggerFactory.CreateLogger("Rill.Server.Network");
        foreach (var listener in listeners)
        {
            // Controller listeners serve the quorum and brokers' registrations, which the broker's own start waits for.
            var listenerConfig = config.ControllerListenerNames.Contains(listener.Name) ? sessionConfig with { Ready = Task.CompletedTask } : sessionConfig;
            var handler = new KafkaConnectionHandler(pipeline, listenerConfig, listener.Name, metrics, sessionLogger, stopping);
            options.Listen(EndPointOf(listener.Host, listener.Port), listen => listen.Run(handler.OnConnectedAsync));
        }

        var kestrel = new KestrelServer(Options.Create(options), transport, loggerFactory);
        try
        {
            await kestrel.StartAsync(new NoHttpApplication(), cancellationToken);
        }
        catch
        {
            kestrel.Dispose();
            throw;
        }

        return new KafkaListeners(kestrel, BoundListenersOf(listeners, kestrel));
    }

    /// <summary>Stops accepting and waits up to <paramref name="grace"/> for the connections' requests to finish.</summary>
    public Task StopAsync(CancellationToken grace) => _kestrel.StopAsync(grace);

    public void Dispose() => _kestrel.Dispose();

    /// <summary>The address to bind for a configured host: all interfaces for an empty host, the first IPv4 address of a name.</summary>
    public static IPEndPoint EndPointOf(string host, int port)
    {
        if (host is "" or "0.0.0.0")
        {
            return new IPEndPoint(IPAddress.Any, port);
        }

        if (IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            return new IPEndPoint(address, port);
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        var resolved = Dns.GetHostAddresses(host);
        return new IPEndPoint(resolved.First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork), port);
    }

    private static List<ListenerEndpoint> BoundListenersOf(IReadOnlyList<ListenerEndpoint> listeners, KestrelServer kestrel)
    {
        var addresses = kestrel.Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        var bound = new List<ListenerEndpoint>(listeners.Count);
        for (var i = 0; i < listeners.Count; i++)
        {
            var listener = listeners[i];
            var port = listener.Port;
            if (port == 0 && i < addresses.Count && Uri.TryCreate(addresses[i], UriKind.Absolute, out var uri))
            {
                port = uri.Port;
            }

            bound.Add(listener with { Port = port });
        }

        return bound;
    }

    /// <summary>Kestrel wants an HTTP application even when every endpoint speaks Kafka; this one is never called.</summary>
    private sealed class NoHttpApplication : IHttpApplication<object>
    {
        public object CreateContext(IFeatureCollection contextFeatures) =>
            throw new InvalidOperationException("Kafka listeners carry no HTTP requests.");

        public Task ProcessRequestAsync(object context) => Task.CompletedTask;

        public void DisposeContext(object context, Exception? exception)
        {
        }
    }
}
