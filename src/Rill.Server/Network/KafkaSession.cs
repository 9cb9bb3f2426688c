using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Rill.Common;
using Rill.Protocol;
using Rill.Protocol.Framing;
using Rill.Protocol.Messages;
using Rill.Server.Handlers;
using Rill.Server.Observability;

namespace Rill.Server.Network;

/// <summary>
/// One client connection. Requests are decoded and started in arrival order on the read loop; their answers
/// are awaited and written in that same order by the write loop, so a long poll never holds up the decoding
/// of the requests behind it, and responses never overtake each other. Depends on the pipe only, so tests
/// drive it over an in-memory pipe.
/// </summary>
public sealed class KafkaSession
{
    /// <summary>Requests one connection may have started but not yet answered; more waits (backpressure).</summary>
    public const int MaxInFlightRequests = 128;

    private readonly IDuplexPipe _transport;
    private readonly ConnectionInfo _connection;
    private readonly RequestDispatcher _dispatcher;
    private readonly SessionConfig _config;
    private readonly TimeProvider _time;
    private readonly NetworkMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Action<int>? _releaseFrame;

    /// <summary>Bytes of this connection's frames held in <see cref="SessionConfig.Budget"/>; the write loop gives them back.</summary>
    private long _heldBytes;

    public KafkaSession(
        IDuplexPipe transport,
        ConnectionInfo connection,
        RequestDispatcher dispatcher,
        SessionConfig config,
        TimeProvider time,
        NetworkMetrics metrics,
        ILogger logger)
    {
        _transport = transport;
        _connection = connection;
        _dispatcher = dispatcher;
        _config = config;
        _time = time;
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
        var pending = Channel.CreateBounded<PendingResponse>(new BoundedChannelOptions(MaxInFlightRequests)
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

    private async Task ReadRequestsAsync(ChannelWriter<PendingResponse> pending, CancellationToken cancellationToken)
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

                    var request = StartRequest(frame, out closeReason);
                    if (request is null)
                    {
                        break;
                    }

                    await pending.WriteAsync(request.Value, cancellationToken);
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

    /// <summary>Decodes the header and starts the handler; null means the connection must close, with the reason.</summary>
    private PendingResponse? StartRequest(ReadOnlySequence<byte> bytes, out string? closeReason)
    {
        closeReason = null;
        var startedAt = _time.GetTimestamp();
        var frame = RequestFrame.CopyFrom(bytes, _releaseFrame);
        ApiKey apiKey;
        short apiVersion;
        int correlationId;
        string clientId;
        int headerSize;
        try
        {
            var reader = new KafkaReader(frame.Memory);
            var header = RequestHeader.ReadFrom(ref reader, out _);
            apiKey = (ApiKey)header.RequestApiKey;
            apiVersion = header.RequestApiVersion;
            correlationId = header.CorrelationId;
            clientId = header.ClientId ?? string.Empty;
            headerSize = reader.Position;
        }
        catch (ProtocolException exception)
        {
            frame.Dispose();
            _metrics.RequestFailed(apiKey: null);
            closeReason = $"the request header does not parse: {exception.Message}";
            return null;
        }

        var handler = _dispatcher.Find(apiKey);
        if (handler is null)
        {
            frame.Dispose();
            _metrics.RequestFailed(apiKey: null);
            closeReason = $"api key {(short)apiKey} is not one this broker serves";
            return null;
        }

        _metrics.RequestReceived(apiKey);
        if (apiVersion < handler.MinVersion || apiVersion > handler.MaxVersion)
        {
            if (apiKey == ApiKey.ApiVersions)
            {
                // KIP-511: a client newer than us learns our range from a v0 answer instead of a closed socket.
                frame.Dispose();
                var fallback = ApiVersionsHandler.UnsupportedVersionResponse(handler);
                return new PendingResponse(null, apiKey, 0, correlationId, startedAt, new ValueTask<ApiResponse>(ApiResponse.Of(fallback)));
            }

            frame.Dispose();
            _metrics.RequestFailed(apiKey);
            closeReason = $"{apiKey} v{apiVersion} is outside the served range v{handler.MinVersion}-v{handler.MaxVersion}";
            return null;
        }

        var context = new RequestContext(apiKey, apiVersion, correlationId, clientId, _connection, frame.Memory[headerSize..]);
        ValueTask<ApiResponse> response;
        try
        {
            response = handler.HandleAsync(context, CancellationToken.None);
        }
        catch (Exception exception)
        {
            response = ValueTask.FromException<ApiResponse>(exception);
        }

        return new PendingResponse(frame, apiKey, apiVersion, correlationId, startedAt, response);
    }

    private async Task WriteResponsesAsync(ChannelReader<PendingResponse> pending, CancellationTokenSource closing)
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
                    catch (ProtocolException exception)
                    {
                        _metrics.RequestFailed(request.ApiKey);
                        LogClose($"{request.ApiKey} v{request.ApiVersion} request body does not parse: {exception.Message}");
                        await closing.CancelAsync();
                        return;
                    }
                    catch (Exception exception)
                    {
                        _metrics.RequestFailed(request.ApiKey);
                        ServerLog.HandlerFailed(_logger, exception, request.ApiKey, request.ApiVersion, _connection.ConnectionId);
                        await closing.CancelAsync();
                        return;
                    }
                    finally
                    {
                        request.Frame?.Dispose();
                    }

                    using (response.Resources)
                    {
                        if (response.CloseConnection)
                        {
                            _metrics.RequestFailed(request.ApiKey);
                            LogClose($"{request.ApiKey} asked to close the connection");
                            await closing.CancelAsync();
                            return;
                        }

                        if (response.Message is { } message)
                        {
                            WriteResponse(output, request, message);
                        }
                    }

                    _metrics.RequestCompleted(request.ApiKey, _time.GetElapsedTime(request.StartedAt));

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

    private static void WriteResponse(PipeWriter output, in PendingResponse request, IKafkaMessage message)
    {
        var headerVersion = ApiKeys.ResponseHeaderVersion(request.ApiKey, request.ApiVersion);
        var headerSize = headerVersion >= 1 ? 5 : 4;
        var bodySize = message.ComputeSize(request.ApiVersion);
        var total = 4 + headerSize + bodySize;
        var span = output.GetSpan(total)[..total];
        BinaryPrimitives.WriteInt32BigEndian(span, headerSize + bodySize);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], request.CorrelationId);
        if (headerVersion >= 1)
        {
            span[8] = 0;
        }

        var writer = new KafkaWriter(span[(4 + headerSize)..]);
        message.Write(ref writer, request.ApiVersion);
        if (writer.Position != bodySize)
        {
            throw new InvalidOperationException($"{request.ApiKey} v{request.ApiVersion} wrote {writer.Position} bytes but sized {bodySize}.");
        }

        output.Advance(total);
    }

    private readonly record struct PendingResponse(
        RequestFrame? Frame,
        ApiKey ApiKey,
        short ApiVersion,
        int CorrelationId,
        long StartedAt,
        ValueTask<ApiResponse> Response);
}

/// <summary>The connection limits a session enforces; <see cref="Budget"/> is shared by every connection of the node.</summary>
public sealed record SessionConfig(int SocketRequestMaxBytes, long ConnectionsMaxIdleMs)
{
    public RequestBudget Budget { get; init; } = RequestBudget.Unlimited;
}
