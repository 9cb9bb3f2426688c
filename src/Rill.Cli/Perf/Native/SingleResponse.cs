using Rill.Protocol;

namespace Rill.Cli.Perf.Native;

/// <summary>One decoded response for the setup requests (ApiVersions, Metadata), awaited as a task.</summary>
internal sealed class SingleResponse<T> : IResponseHandler
    where T : IKafkaMessage<T>
{
    private readonly TaskCompletionSource<T> _response = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<T> Task => _response.Task;

    public void OnResponse(in PendingRequest request, ReadOnlyMemory<byte> body)
    {
        // Copied: the body lives in the connection's read buffer, the decoded message outlives it.
        _response.TrySetResult(KafkaMessage.Deserialize<T>(body.ToArray(), request.ApiVersion));
    }

    public void OnFailure(in PendingRequest request, Exception failure) => _response.TrySetException(failure);
}
