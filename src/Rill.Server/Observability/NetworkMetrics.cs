using System.Diagnostics.Metrics;
using Rill.Protocol.Messages;

namespace Rill.Server.Observability;

/// <summary>
/// Requests and connections. Tags are built once (one per API key, one per listener) so that recording on the
/// request path allocates nothing.
/// </summary>
public sealed class NetworkMetrics
{
    /// <summary>0.1 ms to 10 s: a local Metadata answer at the low end, a long-polling Fetch or a join at the high end.</summary>
    private static readonly double[] DurationBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly KeyValuePair<string, object?> UnknownApi = new("api", "unknown");

    private readonly KeyValuePair<string, object?>[] _apiTags;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _errors;
    private readonly UpDownCounter<long> _connectionsActive;
    private readonly Counter<long> _connections;

    public NetworkMetrics(Meter meter)
    {
        var keys = Enum.GetValues<ApiKey>();
        _apiTags = new KeyValuePair<string, object?>[keys.Max(key => (int)key) + 1];
        Array.Fill(_apiTags, UnknownApi);
        foreach (var key in keys)
        {
            _apiTags[(int)key] = new("api", key.ToString());
        }

        _requests = meter.CreateCounter<long>("rill_requests_total", "{request}", "Requests received, by API.");
        _duration = meter.CreateHistogram(
            "rill_request_duration_seconds",
            "s",
            "Time from decoding a request to writing its response to the connection, by API.",
            tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _errors = meter.CreateCounter<long>(
            "rill_request_errors_total",
            "{request}",
            "Requests that failed: malformed, unknown API or version (these close the connection), or a handler that threw (answered with an error); api=\"unknown\" when the header does not name a served API.");
        _connectionsActive = meter.CreateUpDownCounter<long>("rill_connections_active", "{connection}", "Open client connections, by listener.");
        _connections = meter.CreateCounter<long>("rill_connections_total", "{connection}", "Client connections accepted, by listener.");
    }

    /// <summary>The tag of one listener; callers keep it for the listener's lifetime.</summary>
    public static KeyValuePair<string, object?> ListenerTag(string listenerName) => new("listener", listenerName);

    public void RequestReceived(ApiKey apiKey) => _requests.Add(1, ApiTag(apiKey));

    public void RequestCompleted(ApiKey apiKey, TimeSpan elapsed) => _duration.Record(elapsed.TotalSeconds, ApiTag(apiKey));

    /// <summary>A request failed (closing its connection, or answered with an error); null when its header did not parse or its size was out of range.</summary>
    public void RequestFailed(ApiKey? apiKey) => _errors.Add(1, apiKey is { } key ? ApiTag(key) : UnknownApi);

    public void ConnectionOpened(KeyValuePair<string, object?> listener)
    {
        _connections.Add(1, listener);
        _connectionsActive.Add(1, listener);
    }

    public void ConnectionClosed(KeyValuePair<string, object?> listener) => _connectionsActive.Add(-1, listener);

    private KeyValuePair<string, object?> ApiTag(ApiKey apiKey) =>
        (uint)apiKey < (uint)_apiTags.Length ? _apiTags[(int)apiKey] : UnknownApi;
}
