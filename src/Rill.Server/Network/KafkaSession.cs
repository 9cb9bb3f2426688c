using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Rill.Protocol.Framing;
using Rill.Server.Observability;

namespace Rill.Server.Network;

/// <summary>
/// One client connection: it reads frames from its pipe, holds their bytes against <c>queued.max.request.bytes</c>,
/// closes when idle, and leaves each request to <see cref="RequestPipeline"/>. Requests are started in arrival
/// order on the read loop; their answers are awaited and written in that same order by the write loop, so a long
/// poll never holds up the decoding of the requests behind it, and responses never overtake each other. Depends on
/// the pipe only, so tests drive it over an in-memory pipe.
/// </summary>
public sealed class KafkaSession
{
    /// <summary>Requests one connection may have started but not yet answered; more waits (backpressure).</summary>
    public const int MaxInFlightRequests = 128;

    private readonly IDuplexPipe _transport;
    private readonly ConnectionInfo _connection;
    private readonly RequestPipeline _pipeline;
    private readonly SessionConfig _config;
    private readonly NetworkMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Action<int>? _releaseFrame;

    /// <summary>Bytes of this connection's frames held in <see cref="SessionConfig.Budget"/>; the write loop gives them back.</summary>
    private long _heldBytes;

    public KafkaSession(
        IDuplexPipe transport,
        ConnectionInfo connection,
        RequestPipeline pipeline,
        SessionConfig config,
        NetworkMetrics metrics,
        ILogger logger)
    {
        _transport = transport;
        _connection = connection;
        _pipeline = pipeline;
        _config = config;
        _metrics = metrics;
        _logger = logger;
        if (config.Budget.IsLimited)
        {
            _releaseFrame = length =>
            {
                Interlocked.Add(ref _heldBytes, -length);
                _config.Budget.Release(length);
            };
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pending = Channel.CreateBounded<PendingRequest>(new BoundedChannelOptions(MaxInFlightRequests)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        var writeLoop = WriteResponsesAsync(pending.Reader, closing);
        try
        {
            await ReadRequestsAsync(pending.Writer, closing.Token);
        }
        finally
        {
            pending.Writer.TryComplete();
            await writeLoop;
            await _transport.Input.CompleteAsync();
            await _transport.Output.CompleteAsync();
        }
    }

    private async Task ReadRequestsAsync(ChannelWriter<PendingRequest> pending, CancellationToken cancellationToken)
    {
        var input = _transport.Input;
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            while (true)
            {
                idle.CancelAfter(TimeSpan.FromMilliseconds(_config.ConnectionsMaxIdleMs));
                var result = await input.ReadAsync(idle.Token);
                var buffer = result.Buffer;
                var closeReason = (string?)null;
                while (true)
                {
                    var status = FrameReader.TryReadFrame(ref buffer, _config.SocketRequestMaxBytes, out var frame, out var size);
                    if (status == FrameStatus.Incomplete)
                    {
                        break;
                    }

                    if (status == FrameStatus.InvalidSize)
                    {
                        _metrics.RequestFailed(apiKey: null);
                        closeReason = $"request size {size} is outside 8..{_config.SocketRequestMaxBytes} (socket.request.max.bytes)";
                        break;
                    }

                    if (_releaseFrame is not null)
                    {
                        var length = (int)frame.Length;
                        await _config.Budget.TakeAsync(length, Interlocked.Read(ref _heldBytes), cancellationToken);
                        Interlocked.Add(ref _heldBytes, length);
                    }

                    if (!_pipeline.TryStart(RequestFrame.CopyFrom(frame, _releaseFrame), _connection, out var request, out closeReason))
                    {
                        break;
                    }

                    await pending.WriteAsync(request, cancellationToken);
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (closeReason is not null)
                {
                    LogClose(closeReason);
                    return;
                }

                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        LogClose("the client closed mid-request");
                    }

                    return;
                }
            }
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            LogClose($"idle for {_config.ConnectionsMaxIdleMs} ms (connections.max.idle.ms)");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown or the write loop gave up on the connection: nothing more to read.
        }
        catch (ConnectionResetException)
        {
            // The client went away; there is no one left to answer.
        }
    }

    private async Task WriteResponsesAsync(ChannelReader<PendingRequest> pending, CancellationTokenSource closing)
    {
        var output = _transport.Output;
        try
        {
            while (await pending.WaitToReadAsync(CancellationToken.None))
            {
                while (pending.TryRead(out var request))
                {
                    ApiResponse response;
                    try
                    {
                        response = await request.Response;
                    }
                    catch (Exception exception)
                    {
                        response = _pipeline.Fail(request, exception, closing.IsCancellationRequested);
                        if (response.CloseConnection)
                        {
                            await closing.CancelAsync();
                            return;
                        }
                    }
                    finally
                    {
                        request.Frame?.Dispose();
                    }

                    using (response.Resources)
                    {
                        if (response.CloseConnection)
                        {
                            _pipeline.ClosedByHandler(request);
                            await closing.CancelAsync();
                            return;
                        }

                        if (response.Message is { } message)
                        {
                            RequestPipeline.WriteResponse(output, request, message);
                        }
                    }

                    _pipeline.Completed(request);

                    if (!pending.TryPeek(out var next) || !next.Response.IsCompleted)
                    {
                        var flush = await output.FlushAsync(CancellationToken.None);
                        if (flush.IsCompleted)
                        {
                            await closing.CancelAsync();
                            return;
                        }
                    }
                }
            }
        }
        finally
        {
            while (pending.TryRead(out var abandoned))
            {
                abandoned.Frame?.Dispose();
                ObserveAbandoned(abandoned.Response);
            }
        }
    }

    // Connection closes are rare, so building the reason eagerly costs nothing that matters.
    private void LogClose(string reason) =>
        ServerLog.ClosingConnection(_logger, _connection.ConnectionId, _connection.RemoteEndPoint, reason);

    private static void ObserveAbandoned(ValueTask<ApiResponse> response)
    {
        if (response.IsCompleted)
        {
            if (response.IsCompletedSuccessfully)
            {
                response.Result.Resources?.Dispose();
            }
            else
            {
                _ = response.AsTask().Exception;
            }

            return;
        }

        _ = response.AsTask().ContinueWith(
            static t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    t.Result.Resources?.Dispose();
                }
                else
                {
                    _ = t.Exception;
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}

/// <summary>The connection limits a session enforces; <see cref="Budget"/> is shared by every connection of the node.</summary>
public sealed record SessionConfig(int SocketRequestMaxBytes, long ConnectionsMaxIdleMs)
{
    public RequestBudget Budget { get; init; } = RequestBudget.Unlimited;

    /// <summary>
    /// Completes when the listener may serve requests: as in Kafka, a broker listener reads nothing before the broker
    /// is unfenced, so that no client learns of a cluster this broker is not yet part of. Connections wait until then.
    /// </summary>
    public Task Ready { get; init; } = Task.CompletedTask;
}
