using System.Buffers;

namespace Rill.Client;

/// <summary>
/// The handler behind the task-returning sends: the response body copied once, straight from the receive buffer
/// into the array the task returns (decoded messages slice it, so it must outlive the buffer).
/// </summary>
internal sealed class ResponseCompletion : IResponseHandler
{
    private readonly TaskCompletionSource<byte[]> _body = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<byte[]> Task => _body.Task;

    /// <summary>Called by the read loop instead of <see cref="OnResponse"/>, so a body spread over segments is copied once, not twice.</summary>
    public void Complete(in ReadOnlySequence<byte> body)
    {
        // A caller that gave up (cancelled) gets nothing, so there is nothing to copy.
        if (!_body.Task.IsCompleted)
        {
            _body.TrySetResult(body.ToArray());
        }
    }

    public void OnResponse(in PendingRequest request, ReadOnlyMemory<byte> body) => _body.TrySetResult(body.ToArray());

    public void OnFailure(in PendingRequest request, Exception failure) => _body.TrySetException(failure);

    public void Cancel(CancellationToken cancellationToken) => _body.TrySetCanceled(cancellationToken);
}
