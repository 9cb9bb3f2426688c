namespace Rill.Cli.Perf.Native;

/// <summary>A broker could not be reached or did not answer ApiVersions.</summary>
internal sealed class NativeConnectException : Exception
{
    public NativeConnectException(string endpoint, string reason)
        : base($"cannot reach {endpoint} ({reason})")
    {
        Endpoint = endpoint;
        Reason = reason;
    }

    public string Endpoint { get; }

    public string Reason { get; }
}
