using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Rill.Protocol;
using Rill.Protocol.Framing;
using Rill.Protocol.Messages;
using Rill.Server.Handlers;
using Rill.Server.Observability;

namespace Rill.Server.Network;

/// <summary>
/// One request from its frame to its answer's bytes: header decode, dispatch to the handler, a failed handler's
/// error answer, response framing. Holds no connection state, so <see cref="KafkaSession"/> and in-process callers
/// (benchmarks, an in-process cluster) take frames through the same steps. The steps are separate so a
/// connection can start requests in order and await their answers elsewhere without a state machine per request.
/// </summary>
public sealed class RequestPipeline
{
    private readonly RequestDispatcher _dispatcher;
    private readonly TimeProvider _time;
    private readonly NetworkMetrics _metrics;
    private readonly ILogger _logger;

    public RequestPipeline(RequestDispatcher dispatcher, TimeProvider time, NetworkMetrics metrics, ILogger logger)
    {
        _dispatcher = dispatcher;
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>
    /// Decodes the frame's header and starts its handler. The frame is the request's from here: when this returns
    /// false (the connection must close, for <paramref name="closeReason"/>) it has been disposed; otherwise
    /// <see cref="PendingRequest.Frame"/> holds it until the caller disposes it after the answer.
    /// </summary>
    public bool TryStart(RequestFrame frame, ConnectionInfo connection, out PendingRequest request, [NotNullWhen(false)] out string? closeReason)
    {
        var startedAt = _time.GetTimestamp();
        request = default;
        closeReason = null;
        RequestHeader header;
        int headerSize;
        try
        {
            var reader = new KafkaReader(frame.Memory);
            header = RequestHeader.ReadFrom(ref reader, out _);
            headerSize = reader.Position;
        }
        catch (ProtocolException exception)
        {
            frame.Dispose();
            _metrics.RequestFailed(apiKey: null);
            closeReason = $"the request header does not parse: {exception.Message}";
            return false;
        }

        var apiKey = (ApiKey)header.RequestApiKey;
        var handler = _dispatcher.Find(apiKey);
        if (handler is null)
        {
            frame.Dispose();
            _metrics.RequestFailed(apiKey: null);
            closeReason = $"api key {(short)apiKey} is not one this broker serves";
            return false;
        }

        _metrics.RequestReceived(apiKey);
        var apiVersion = header.RequestApiVersion;
        if (apiVersion < handler.MinVersion || apiVersion > handler.MaxVersion)
        {
            frame.Dispose();
            if (apiKey == ApiKey.ApiVersions)
            {
                // KIP-511: a client newer than us learns our range from a v0 answer instead of a closed socket.
                var fallback = ApiVersionsHandler.UnsupportedVersionResponse(handler);
                var fallbackContext = new RequestContext(apiKey, apiVersion, header.CorrelationId, header.ClientId ?? string.Empty, connection, Memory<byte>.Empty);
                request = new PendingRequest(fallbackContext, Handler: null, Frame: null, ResponseVersion: 0, startedAt, new ValueTask<ApiResponse>(ApiResponse.Of(fallback)));
                return true;
            }

            _metrics.RequestFailed(apiKey);
            closeReason = $"{apiKey} v{apiVersion} is outside the served range v{handler.MinVersion}-v{handler.MaxVersion}";
            return false;
        }

        var context = new RequestContext(apiKey, apiVersion, header.CorrelationId, header.ClientId ?? string.Empty, connection, frame.Memory[headerSize..]);
        ValueTask<ApiResponse> response;
        try
        {
            response = handler.HandleAsync(context, CancellationToken.None);
        }
        catch (Exception exception)
        {
            // Answered with the awaited part's failures, in request order, by Fail.
            response = ValueTask.FromException<ApiResponse>(exception);
        }

        request = new PendingRequest(context, handler, frame, apiVersion, startedAt, response);
        return true;
    }

    /// <summary>
    /// What to send for a request whose handler threw <paramref name="exception"/>, before or after its first await.
    /// A body that does not parse and cancellation while the connection closes (shutdown) close the connection, as
    /// does a request that takes no answer (acks=0 Produce: Kafka closes so the producer refreshes its metadata);
    /// anything else is logged once and answered in the request's own shape, and the connection stays open
    /// (kafka: <c>KafkaApis.handleError</c>). Call it before disposing <see cref="PendingRequest.Frame"/>.
    /// </summary>
    public ApiResponse Fail(in PendingRequest request, Exception exception, bool closing)
    {
        var context = request.Context;
        if (exception is ProtocolException)
        {
            _metrics.RequestFailed(context.ApiKey);
            LogClose(context.Connection, $"{context.ApiKey} v{context.ApiVersion} request body does not parse: {exception.Message}");
            return ApiResponse.Close;
        }

        if (exception is OperationCanceledException && closing)
        {
            LogClose(context.Connection, $"{context.ApiKey} v{context.ApiVersion} was cancelled as the connection closed");
            return ApiResponse.Close;
        }

        _metrics.RequestFailed(context.ApiKey);
        var error = ApiError.FromException(exception);
        if (request.Handler?.ErrorResponse(context, error) is { } answer)
        {
            ServerLog.HandlerFailed(_logger, exception, context.ApiKey, context.ApiVersion, context.ClientId, context.Connection.ConnectionId, error.Code);
            return ApiResponse.Of(answer);
        }

        ServerLog.HandlerFailedClosing(_logger, exception, context.ApiKey, context.ApiVersion, context.ClientId, context.Connection.ConnectionId);
        return ApiResponse.Close;
    }

    /// <summary>Sizes the answer, then writes its frame (size, response header, body) straight into <paramref name="output"/>.</summary>
    public static void WriteResponse(IBufferWriter<byte> output, in PendingRequest request, IKafkaMessage message) =>
        ResponseFrameWriter.Write(output, request.ApiKey, request.ResponseVersion, request.CorrelationId, message);

    /// <summary>Records that the request's answer (or its deliberate lack of one) has been written.</summary>
    public void Completed(in PendingRequest request) => _metrics.RequestCompleted(request.ApiKey, _time.GetElapsedTime(request.StartedAt));

    /// <summary>A handler asked for the connection to be closed instead of answering.</summary>
    public void ClosedByHandler(in PendingRequest request)
    {
        _metrics.RequestFailed(request.ApiKey);
        LogClose(request.Context.Connection, $"{request.ApiKey} asked to close the connection");
    }

    /// <summary>
    /// Takes one frame through every step on the caller's connection-less path and writes its answer to
    /// <paramref name="output"/>; false when a connection would close instead (logged with the reason). The frame is
    /// disposed before this returns. Completes synchronously when the handler does, allocating nothing more then.
    /// </summary>
    public async ValueTask<bool> HandleAsync(RequestFrame frame, ConnectionInfo connection, IBufferWriter<byte> output)
    {
        if (!TryStart(frame, connection, out var request, out var closeReason))
        {
            LogClose(connection, closeReason);
            return false;
        }

        ApiResponse response;
        try
        {
            response = await request.Response;
        }
        catch (Exception exception)
        {
            response = Fail(request, exception, closing: false);
            if (response.CloseConnection)
            {
                return false;
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
                ClosedByHandler(request);
                return false;
            }

            if (response.Message is { } message)
            {
                WriteResponse(output, request, message);
            }
        }

        Completed(request);
        return true;
    }

    // Connection closes are rare, so building the reason eagerly costs nothing that matters.
    private void LogClose(ConnectionInfo connection, string reason) =>
        ServerLog.ClosingConnection(_logger, connection.ConnectionId, connection.RemoteEndPoint, reason);
}
