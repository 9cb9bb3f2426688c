using System.IO.Pipelines;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Client;

public sealed partial class KafkaConnection
{
    /// <summary>Sends and waits for the response body; a cancellation after the send completes the task as cancelled and drops the response when it comes.</summary>
    private async Task<byte[]> SendForBodyAsync(Memory<byte> frame, ApiKey apiKey, short version, IKafkaMessage? body, CancellationToken cancellationToken)
    {
        var completion = new ResponseCompletion();
        await SendCoreAsync(frame, apiKey, version, body, completion, tag: 0, cancellationToken);
        using (cancellationToken.UnsafeRegister(static (state, token) => ((ResponseCompletion)state!).Cancel(token), completion))
        {
            return await completion.Task;
        }
    }

    /// <summary>
    /// Writes one request: <paramref name="frame"/> as given (its correlation id replaced), or <paramref name="body"/>
    /// encoded straight into the pipe. With a handler the request first takes an in-flight count and joins the
    /// pending queue, in the same turn as its write, so the queue's order is the wire's.
    /// </summary>
    private async ValueTask SendCoreAsync(
        Memory<byte> frame,
        ApiKey apiKey,
        short version,
        IKafkaMessage? body,
        IResponseHandler? handler,
        int tag,
        CancellationToken cancellationToken)
    {
        ThrowIfUnusable();
        var holdsCount = false;
        var holdsLock = false;
        try
        {
            if (handler is not null)
            {
                await _inFlight.WaitAsync(cancellationToken);
                holdsCount = true;
            }

            await _sendLock.WaitAsync(cancellationToken);
            holdsLock = true;
            ThrowIfUnusable();
            var correlationId = _correlationId = (_correlationId + 1) & int.MaxValue;
            var length = 0;
            if (body is null)
            {
                RequestFrameWriter.SetCorrelationId(frame.Span, correlationId);
            }
            else
            {
                // Encoded before the request is queued: an encoder that throws leaves nothing half-registered.
                length = Frames.SizeOf(apiKey, version, body);
                Frames.Write(_output.GetSpan(length), apiKey, version, correlationId, body);
            }

            if (handler is not null)
            {
                Enqueue(new Entry(new PendingRequest(correlationId, apiKey, version, _time.GetTimestamp(), tag), handler));
                holdsCount = false; // the entry holds it now; the read loop or Fail gives it back
            }

            ValueTask<FlushResult> flush;
            if (body is null)
            {
                // A stream pipe writer with nothing buffered hands the caller's bytes to the stream without a copy.
                flush = _output.WriteAsync(frame, cancellationToken);
            }
            else
            {
                _output.Advance(length);
                flush = _output.FlushAsync(cancellationToken);
            }

            await CompleteWriteAsync(flush, queued: handler is not null, cancellationToken);
        }
        finally
        {
            if (holdsLock)
            {
                _sendLock.Release();
            }

            if (holdsCount)
            {
                _inFlight.Release();
            }
        }
    }

    /// <summary>
    /// Waits for the write to reach the transport. A failure fails the connection; it is thrown only for a request
    /// nobody else hears about (one without a handler), since a queued one learns of it through its handler.
    /// </summary>
    private async ValueTask CompleteWriteAsync(ValueTask<FlushResult> flush, bool queued, CancellationToken cancellationToken)
    {
        KafkaConnectionException failure;
        try
        {
            var result = await flush;
            if (!result.IsCanceled && !result.IsCompleted)
            {
                return;
            }

            failure = Failure ?? Fail(new KafkaConnectionException(Endpoint, "the peer stopped reading"));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cut off mid-write, the stream may hold part of a frame: nothing more can be framed on it.
            failure = Fail(new KafkaConnectionException(Endpoint, "a send was cancelled in the middle of its write"));
            if (!queued)
            {
                throw;
            }
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or InvalidOperationException)
        {
            failure = Fail(new KafkaConnectionException(Endpoint, $"writing failed: {exception.Message}", exception));
        }

        if (!queued)
        {
            throw new KafkaConnectionException(failure.Endpoint, failure.Reason, failure);
        }
    }

    private void Enqueue(in Entry entry)
    {
        KafkaConnectionException failure;
        lock (_pendingLock)
        {
            if (_failure is null)
            {
                _pending.Enqueue(entry);
                return;
            }

            failure = _failure;
        }

        // Failed since the check above: the request is not sent, and the caller hears it from the throw.
        throw new KafkaConnectionException(failure.Endpoint, failure.Reason, failure);
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Failure is { } failure)
        {
            throw new KafkaConnectionException(failure.Endpoint, failure.Reason, failure);
        }
    }
}
