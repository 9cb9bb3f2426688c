namespace Rill.Cli.Perf.Native;

/// <summary>
/// Receives responses on a connection's reader loop. Both methods run on that loop, one at a time, and must not
/// block; <c>body</c> is valid only during the call.
/// </summary>
internal interface IResponseHandler
{
    /// <summary>The response body (after the response header) of <paramref name="request"/>.</summary>
    void OnResponse(in PendingRequest request, ReadOnlyMemory<byte> body);

    /// <summary><paramref name="request"/> will get no response: the connection failed or the response did not decode.</summary>
    void OnFailure(in PendingRequest request, Exception failure);
}
