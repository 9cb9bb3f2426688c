using System.Net;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Rill.Server.Observability;

/// <summary>
/// The HTTP admin listener (<c>admin.listener</c>): <c>GET /metrics</c> in Prometheus' text format,
/// <c>/health/live</c>, <c>/health/ready</c> and <c>/health</c> (ready). A Kestrel server of its own, so it starts
/// after the Kafka listeners and stops before them.
/// </summary>
public sealed class AdminServer : IAsyncDisposable
{
    private readonly KestrelServer _kestrel;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _stopped;

    private AdminServer(KestrelServer kestrel, IPEndPoint endPoint, TimeProvider time, ILogger logger)
    {
        _kestrel = kestrel;
        EndPoint = endPoint;
        _time = time;
        _logger = logger;
    }

    /// <summary>Where the listener is bound; port 0 in the config becomes the port the OS chose.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Binds <paramref name="endPoint"/> and starts serving; a bind failure throws Kestrel's <see cref="IOException"/>.</summary>
    public static async Task<AdminServer> StartAsync(
        IPEndPoint endPoint,
        PrometheusExporter exporter,
        Func<CancellationToken, Task> beforeScrape,
        NodeHealth health,
        TimeProvider time,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        var logger = loggerFactory.CreateLogger("Rill.Server.Observability");
        var options = new KestrelServerOptions
        {
            ApplicationServices = new ServiceCollection().AddSingleton(loggerFactory).BuildServiceProvider(),
            AddServerHeader = false,
        };
        options.Limits.MaxConcurrentConnections = 64;
        options.Listen(endPoint, listen => listen.Protocols = HttpProtocols.Http1);
        var transport = new SocketTransportFactory(Options.Create(new SocketTransportOptions()), loggerFactory);
        var kestrel = new KestrelServer(Options.Create(options), transport, loggerFactory);
        try
        {
            await kestrel.StartAsync(new AdminHttpApplication(exporter, beforeScrape, health, time, logger), cancellationToken);
        }
        catch
        {
            kestrel.Dispose();
            throw;
        }

        var bound = BoundEndPoint(kestrel, endPoint);
        var boundText = bound.ToString();
        ObservabilityLog.AdminListening(logger, boundText);
        return new AdminServer(kestrel, bound, time, logger);
    }

    /// <summary>Stops accepting and lets requests in flight finish (a scrape takes milliseconds), then closes.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5), _time);
        await _kestrel.StopAsync(grace.Token);
        var endPoint = EndPoint.ToString();
        ObservabilityLog.AdminStopped(_logger, endPoint);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _kestrel.Dispose();
    }

    private static IPEndPoint BoundEndPoint(KestrelServer kestrel, IPEndPoint requested)
    {
        if (requested.Port != 0)
        {
            return requested;
        }

        var address = kestrel.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return address is not null && Uri.TryCreate(address, UriKind.Absolute, out var uri)
            ? new IPEndPoint(requested.Address, uri.Port)
            : throw new InvalidOperationException($"Kestrel did not report the port it bound for {requested}.");
    }
}
