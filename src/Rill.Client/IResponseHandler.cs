namespace Rill.Client;

/// <summary>
/// Receives the responses of requests sent with <see cref="KafkaConnection.SendFrameAsync(Memory{byte}, IResponseHandler?, int, CancellationToken)"/>.
/// Both methods run on the connection's read loop, one at a time and in request order; they must not block,
/// and <c>body</c> is valid only during the call (it is read in place from the receive buffer). This is the path
/// that costs no allocation per request; the task-returning sends are built on the same loop.
/// </summary>
public interface IResponseHandler
{
    /// <summary>The response body (after the response header) of <paramref name="request"/>.</summary>
    void OnResponse(in PendingRequest request, ReadOnlyMemory<byte> body);

    /// <summary>
    /// <paramref name="request"/> gets no response: the connection failed or was closed (a
    /// <see cref="KafkaConnectionException"/>), or <see cref="OnResponse"/> threw a <see cref="Protocol.ProtocolException"/>
    /// for this body.
    /// </summary>
    void OnFailure(in PendingRequest request, Exception failure);
}
