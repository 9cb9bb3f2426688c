using System.Buffers;
using Rill.Protocol;
using Rill.Protocol.Framing;
using Rill.Protocol.Messages;

namespace Rill.Client;

public sealed partial class KafkaConnection
{
    /// <summary>Takes response frames off the pipe until the connection fails or is disposed.</summary>
    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(CancellationToken.None);
                if (result.IsCanceled)
                {
                    // DisposeAsync, which has failed the pending requests already.
                    return;
                }

                var buffer = result.Buffer;
                try
                {
                    while (true)
                    {
                        var status = FrameReader.TryReadFrame(ref buffer, FrameReader.MinimumResponseFrameSize, _maxResponseBytes, out var frame, out var size);
                        if (status == FrameStatus.Incomplete)
                        {
                            break;
                        }

                        if (status == FrameStatus.InvalidSize)
                        {
                            throw new KafkaConnectionException(Endpoint,
                                $"it sent a response frame of {size} bytes, outside {FrameReader.MinimumResponseFrameSize}..{_maxResponseBytes}");
                        }

                        Dispatch(frame);
                    }
                }
                finally
                {
                    _input.AdvanceTo(buffer.Start, buffer.End);
                }

                if (result.IsCompleted)
                {
                    Fail(new KafkaConnectionException(Endpoint, buffer.IsEmpty ? "closed by the peer" : "closed by the peer in the middle of a response"));
                    return;
                }
            }
        }
        catch (KafkaConnectionException exception)
        {
            Fail(exception);
        }
        catch (Exception exception)
        {
            Fail(new KafkaConnectionException(Endpoint, $"reading responses failed: {exception.Message}", exception));
        }
    }

    /// <summary>
    /// Hands one response frame to the request at the head of the queue. A wrong correlation id or an unreadable
    /// header breaks the framing for everything after it, so it fails the connection; a body its handler cannot
    /// decode fails only that request.
    /// </summary>
    private void Dispatch(in ReadOnlySequence<byte> frame)
    {
        Entry entry;
        lock (_pendingLock)
        {
            if (!_pending.TryDequeue(out entry))
            {
                throw new KafkaConnectionException(Endpoint, $"it sent a response of {frame.Length} bytes when no request was waiting");
            }
        }

        // The response is off the wire: room for the next request, before its handler lets a sender go on.
        _inFlight.Release();
        var request = entry.Request;
        int headerLength;
        try
        {
            headerLength = ResponseHeader.ReadFrom(frame, ResponseHeader.VersionFor(request.ApiKey, request.ApiVersion), out var correlationId);
            if (correlationId != request.CorrelationId)
            {
                throw new KafkaConnectionException(Endpoint,
                    $"it answered correlation id {correlationId} where {request.CorrelationId} ({request.ApiKey} v{request.ApiVersion}) was next");
            }
        }
        catch (Exception exception) when (exception is KafkaConnectionException or ProtocolException)
        {
            var failure = exception as KafkaConnectionException
                ?? new KafkaConnectionException(Endpoint, $"its {request.ApiKey} v{request.ApiVersion} response header does not decode: {exception.Message}", exception);
            entry.Handler.OnFailure(request, failure);
            throw failure;
        }

        var body = frame.Slice(headerLength);
        if (entry.Handler is ResponseCompletion completion)
        {
            completion.Complete(body);
            return;
        }

        Deliver(entry.Handler, request, body);
    }

    /// <summary>The body in place when it is contiguous (nearly always), else from one pooled copy.</summary>
    private static void Deliver(IResponseHandler handler, in PendingRequest request, in ReadOnlySequence<byte> body)
    {
        byte[]? copy = null;
        ReadOnlyMemory<byte> memory;
        if (body.IsSingleSegment)
        {
            memory = body.First;
        }
        else
        {
            var length = (int)body.Length;
            copy = ArrayPool<byte>.Shared.Rent(length);
            body.CopyTo(copy);
            memory = copy.AsMemory(0, length);
        }

        try
        {
            handler.OnResponse(request, memory);
        }
        catch (ProtocolException exception)
        {
            handler.OnFailure(request, exception);
        }
        finally
        {
            if (copy is not null)
            {
                ArrayPool<byte>.Shared.Return(copy);
            }
        }
    }

    /// <summary>
    /// Marks the connection failed (the first failure wins and is returned) and fails every pending request with
    /// it. A sender blocked on a full pipe is woken up.
    /// </summary>
    private KafkaConnectionException Fail(KafkaConnectionException failure)
    {
        Entry[] waiting;
        lock (_pendingLock)
        {
            if (_failure is not null)
            {
                return _failure;
            }

            Volatile.Write(ref _failure, failure);
            waiting = [.. _pending];
            _pending.Clear();
        }

        _output.CancelPendingFlush();
        if (waiting.Length > 0)
        {
            _inFlight.Release(waiting.Length);
        }

        foreach (var entry in waiting)
        {
            entry.Handler.OnFailure(entry.Request, failure);
        }

        return failure;
    }
}
