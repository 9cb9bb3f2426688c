using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Rill.Server.Observability;

/// <summary>
/// The admin endpoint's four routes straight on Kestrel's request features: no host, no middleware, no routing,
/// so it starts in milliseconds and logs nothing per request.
/// </summary>
internal sealed class AdminHttpApplication : IHttpApplication<IFeatureCollection>
{
    private static readonly TimeSpan ScrapePreparationTimeout = TimeSpan.FromSeconds(5);

    private readonly PrometheusExporter _exporter;
    private readonly Func<CancellationToken, Task> _beforeScrape;
    private readonly NodeHealth _health;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public AdminHttpApplication(PrometheusExporter exporter, Func<CancellationToken, Task> beforeScrape, NodeHealth health, TimeProvider time, ILogger logger)
    {
        _exporter = exporter;
        _beforeScrape = beforeScrape;
        _health = health;
        _time = time;
        _logger = logger;
    }

    public IFeatureCollection CreateContext(IFeatureCollection contextFeatures) => contextFeatures;

    public async Task ProcessRequestAsync(IFeatureCollection context)
    {
        var request = context.GetRequiredFeature<IHttpRequestFeature>();
        var response = context.GetRequiredFeature<IHttpResponseFeature>();
        var body = context.GetRequiredFeature<IHttpResponseBodyFeature>();
        var aborted = context.Get<IHttpRequestLifetimeFeature>()?.RequestAborted ?? CancellationToken.None;
        try
        {
            var (status, contentType, text) = await AnswerAsync(request, response, aborted);
            var bytes = Encoding.UTF8.GetBytes(text);
            response.StatusCode = status;
            response.Headers.ContentType = contentType;
            response.Headers.CacheControl = "no-store";
            response.Headers.ContentLength = bytes.Length;
            if (!HttpMethods.IsHead(request.Method))
            {
                await body.Writer.WriteAsync(bytes, aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception exception)
        {
            // Logged here once, answered here: Kestrel would log the exception again and answer an empty 500.
            var method = request.Method;
            var path = request.Path;
            ObservabilityLog.AdminRequestFailed(_logger, exception, method, path);
            if (!response.HasStarted)
            {
                response.StatusCode = StatusCodes.Status500InternalServerError;
                response.Headers.ContentType = "text/plain; charset=utf-8";
                response.Headers.ContentLength = null;
                await body.Writer.WriteAsync(Encoding.UTF8.GetBytes($"failed: {exception.Message}\n"), aborted);
            }
        }
    }

    public void DisposeContext(IFeatureCollection context, Exception? exception)
    {
    }

    private async Task<(int Status, string ContentType, string Text)> AnswerAsync(
        IHttpRequestFeature request,
        IHttpResponseFeature response,
        CancellationToken aborted)
    {
        const string PlainText = "text/plain; charset=utf-8";
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            response.Headers.Allow = "GET, HEAD";
            return (StatusCodes.Status405MethodNotAllowed, PlainText, "method not allowed\n");
        }

        switch (request.Path)
        {
            case "/metrics":
                using (var timeout = new CancellationTokenSource(ScrapePreparationTimeout, _time))
                using (var preparation = CancellationTokenSource.CreateLinkedTokenSource(aborted, timeout.Token))
                {
                    await _beforeScrape(preparation.Token);
                }

                aborted.ThrowIfCancellationRequested();
                return (StatusCodes.Status200OK, PrometheusText.ContentType, _exporter.Scrape());
            case "/health/live":
                return (StatusCodes.Status200OK, PlainText, "live\n");
            case "/health/ready" or "/health":
                return _health.IsReady(out var reason)
                    ? (StatusCodes.Status200OK, PlainText, reason + "\n")
                    : (StatusCodes.Status503ServiceUnavailable, PlainText, $"not ready: {reason}\n");
            default:
                return (StatusCodes.Status404NotFound, PlainText, "not found; try /metrics, /health/live, /health/ready\n");
        }
    }
}
