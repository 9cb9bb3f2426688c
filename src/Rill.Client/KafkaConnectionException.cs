namespace Rill.Client;

/// <summary>
/// A connection to a broker could not be opened or stopped working: refused, closed by the peer (mid-response
/// or not), a response that breaks the framing (bad size, unknown correlation id), or closed by this client.
/// Every request waiting on the connection fails with it. An <see cref="IOException"/>, as socket failures are.
/// </summary>
public sealed class KafkaConnectionException : IOException
{
    public KafkaConnectionException(string endpoint, string reason)
        : base($"connection to {endpoint} failed: {reason}")
    {
        Endpoint = endpoint;
        Reason = reason;
    }

    public KafkaConnectionException(string endpoint, string reason, Exception innerException)
        : base($"connection to {endpoint} failed: {reason}", innerException)
    {
        Endpoint = endpoint;
        Reason = reason;
    }

    /// <summary>host:port.</summary>
    public string Endpoint { get; }

    /// <summary>What went wrong, without the endpoint ("connection refused", "closed by the peer").</summary>
    public string Reason { get; }
}
