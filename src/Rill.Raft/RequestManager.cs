namespace Rill.Raft;

/// <summary>
/// At most one request in flight per destination, a retry backoff after a failed one and a request timeout after which
/// the destination is ready again (kafka: <c>RequestManager</c>). A response counts only when it answers the request
/// in flight; <see cref="ResetAll"/> on every state change makes older answers stale.
/// </summary>
internal sealed class RequestManager
{
    private readonly Dictionary<int, Connection> _connections = [];
    private readonly int _retryBackoffMs;
    private readonly int _requestTimeoutMs;

    public RequestManager(int retryBackoffMs, int requestTimeoutMs)
    {
        _retryBackoffMs = retryBackoffMs;
        _requestTimeoutMs = requestTimeoutMs;
    }

    public bool IsReady(int destination, long nowMs)
    {
        if (!_connections.TryGetValue(destination, out var connection))
        {
            return true;
        }

        if (connection.IsBackingOff && nowMs >= connection.FailedMs + _retryBackoffMs
            || !connection.IsBackingOff && nowMs >= connection.SentMs + _requestTimeoutMs)
        {
            _connections.Remove(destination);
            return true;
        }

        return false;
    }

    public bool IsBackingOff(int destination, long nowMs) =>
        _connections.TryGetValue(destination, out var connection) && connection.IsBackingOff && nowMs < connection.FailedMs + _retryBackoffMs;

    public bool HasRequestTimedOut(int destination, long nowMs) =>
        _connections.TryGetValue(destination, out var connection) && !connection.IsBackingOff && nowMs >= connection.SentMs + _requestTimeoutMs;

    /// <summary>True while any destination has a request in flight that has not timed out.</summary>
    public bool HasAnyInflight(long nowMs)
    {
        foreach (var connection in _connections.Values)
        {
            if (!connection.IsBackingOff && nowMs < connection.SentMs + _requestTimeoutMs)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>How long until <paramref name="destination"/> is ready: 0 when it is, else the backoff or request timeout left.</summary>
    public long RemainingMs(int destination, long nowMs)
    {
        if (!_connections.TryGetValue(destination, out var connection))
        {
            return 0;
        }

        var readyAt = connection.IsBackingOff ? connection.FailedMs + _retryBackoffMs : connection.SentMs + _requestTimeoutMs;
        return Math.Max(0, readyAt - nowMs);
    }

    /// <summary>
    /// The soonest time a destination still waiting (in flight or backing off) becomes ready, or
    /// <paramref name="defaultMs"/> when none is waiting. Destinations already ready do not count: the caller did not
    /// send to them on purpose (one fetch in flight at a time), so polling again at once would spin.
    /// </summary>
    public long MinRemainingMs(long nowMs, long defaultMs)
    {
        var min = defaultMs;
        foreach (var destination in _connections.Keys)
        {
            var remaining = RemainingMs(destination, nowMs);
            if (remaining > 0)
            {
                min = Math.Min(min, remaining);
            }
        }

        return min;
    }

    public void OnSent(int destination, long requestId, long nowMs) =>
        _connections[destination] = new Connection { RequestId = requestId, SentMs = nowMs };

    public bool IsExpected(int destination, long requestId) =>
        _connections.TryGetValue(destination, out var connection) && !connection.IsBackingOff && connection.RequestId == requestId;

    /// <summary>Success makes the destination ready at once; failure backs it off for the retry backoff.</summary>
    public void OnResult(int destination, long requestId, bool success, long nowMs)
    {
        if (!IsExpected(destination, requestId))
        {
            return;
        }

        if (success)
        {
            _connections.Remove(destination);
        }
        else
        {
            _connections[destination] = new Connection { RequestId = requestId, IsBackingOff = true, FailedMs = nowMs };
        }
    }

    public void ResetAll() => _connections.Clear();

    private sealed class Connection
    {
        public long RequestId { get; init; }

        public bool IsBackingOff { get; init; }

        public long SentMs { get; init; }

        public long FailedMs { get; init; }
    }
}
