using System.Buffers.Binary;
using System.IO.Pipelines;
using Rill.Common;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Client;

/// <summary>
/// One connection to a Kafka broker: ApiVersions negotiated on connect, then requests pipelined. Senders take
/// turns (one frame at a time goes into the pipe, so frames never interleave), each request gets the next
/// correlation id and a place in the queue of pending requests, and one read loop matches response frames to
/// that queue in order, as Kafka answers a connection's requests in order. A response whose correlation id is
/// not the next one, a frame of impossible size, or the peer closing fails the connection and with it every
/// pending request; nothing waits forever. At most <see cref="KafkaConnectionOptions.MaxInFlightRequests"/>
/// requests wait for answers; more senders wait for room.
/// </summary>
/// <remarks>
/// Three ways to send: typed (<see cref="SendAsync{TRequest, TResponse}(TRequest, CancellationToken)"/>, on the
/// generated messages), raw (<see cref="SendFrameAsync(Memory{byte}, CancellationToken)"/>, a pre-encoded frame in,
/// the response body's bytes out), and by handler (<see cref="SendFrameAsync(Memory{byte}, IResponseHandler?, int, CancellationToken)"/>,
/// the body read in place on the read loop, nothing allocated per request: the perf driver and replica fetching).
/// </remarks>
public sealed partial class KafkaConnection : IAsyncDisposable
{
    private readonly IKafkaTransportConnection _transport;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly int _maxResponseBytes;
    private readonly TimeProvider _time;

    /// <summary>One sender at a time writes and flushes: a pipe writer is not safe for concurrent use.</summary>
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    /// <summary>One count per request waiting for a response; the read loop gives it back.</summary>
    private readonly SemaphoreSlim _inFlight;

    /// <summary>Requests sent and not answered, in the order they went on the wire.</summary>
    private readonly Queue<Entry> _pending = new();
    private readonly Lock _pendingLock = new();
    private readonly Task _readLoop;

    /// <summary>Only touched under <see cref="_sendLock"/>.</summary>
    private int _correlationId;
    private KafkaConnectionException? _failure;
    private int _disposed;

    private KafkaConnection(IKafkaTransportConnection transport, string endpoint, KafkaConnectionOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxInFlightRequests, 1, nameof(options));
        _transport = transport;
        _input = transport.Input;
        _output = transport.Output;
        Endpoint = endpoint;
        Frames = new RequestFrameWriter(options.ClientId);
        _maxResponseBytes = options.MaxResponseBytes;
        _time = options.TimeProvider;
        _inFlight = new SemaphoreSlim(options.MaxInFlightRequests, options.MaxInFlightRequests);
        _readLoop = ReadLoopAsync();
    }

    /// <summary>host:port, for messages.</summary>
    public string Endpoint { get; }

    /// <summary>What the broker serves and the version this client uses per api key.</summary>
    public NegotiatedVersions Versions { get; private set; } = null!;

    /// <summary>Encodes frames with this connection's client id, for callers that build them once and send them often.</summary>
    public RequestFrameWriter Frames { get; }

    /// <summary>Why the connection stopped working, or null while it works.</summary>
    public KafkaConnectionException? Failure => Volatile.Read(ref _failure);

    /// <summary>Opens a connection through <see cref="KafkaConnectionOptions.Transport"/> and negotiates ApiVersions.</summary>
    /// <exception cref="KafkaConnectionException">The broker cannot be reached, closed the connection, or did not answer ApiVersions sensibly.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled: a connect timeout is a token that cancels.</exception>
    public static async Task<KafkaConnection> ConnectAsync(string host, int port, KafkaConnectionOptions options, CancellationToken cancellationToken)
    {
        var transport = await options.Transport.ConnectAsync(host, port, cancellationToken);
        var connection = new KafkaConnection(transport, $"{host}:{port}", options);
        try
        {
            connection.Versions = await connection.NegotiateAsync(options, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> at the negotiated version and decodes its response.
    /// </summary>
    /// <exception cref="KafkaException"><see cref="ErrorCode.UnsupportedVersion"/>: the broker does not serve this api (nothing is sent).</exception>
    /// <exception cref="KafkaConnectionException">The connection failed or was closed before the response came.</exception>
    /// <exception cref="ProtocolException">The response body does not decode (the connection stays usable).</exception>
    public Task<TResponse> SendAsync<TRequest, TResponse>(TRequest request, CancellationToken cancellationToken)
        where TRequest : IKafkaMessage, IApiMessage
        where TResponse : IKafkaMessage<TResponse>, IApiMessage =>
        SendAsync<TRequest, TResponse>(request, Versions.GetVersion(TRequest.ApiKey), cancellationToken);

    /// <summary>Sends <paramref name="request"/> at <paramref name="version"/>, whatever the broker advertised, and decodes its response.</summary>
    public async Task<TResponse> SendAsync<TRequest, TResponse>(TRequest request, short version, CancellationToken cancellationToken)
        where TRequest : IKafkaMessage, IApiMessage
        where TResponse : IKafkaMessage<TResponse>, IApiMessage
    {
        if (TResponse.ApiKey != TRequest.ApiKey)
        {
            throw new ArgumentException($"{typeof(TResponse).Name} does not answer {typeof(TRequest).Name}");
        }

        CheckVersion<TRequest>(version);
        if (request is ProduceRequest { Acks: 0 })
        {
            throw new ArgumentException($"a Produce with acks=0 gets no response: send it with {nameof(SendWithoutResponseAsync)}", nameof(request));
        }

        var body = await SendForBodyAsync(default, TRequest.ApiKey, version, request, cancellationToken);
        return KafkaMessage.Deserialize<TResponse>(body, version);
    }

    /// <summary>Sends a request the broker does not answer (Produce with acks=0); done once the transport took it.</summary>
    public ValueTask SendWithoutResponseAsync<TRequest>(TRequest request, short version, CancellationToken cancellationToken)
        where TRequest : IKafkaMessage, IApiMessage
    {
        CheckVersion<TRequest>(version);
        return SendCoreAsync(default, TRequest.ApiKey, version, request, handler: null, tag: 0, cancellationToken);
    }

    /// <summary>
    /// Sends one whole pre-encoded frame (size prefix included) and returns the body of its response (after the
    /// response header). The connection writes its own correlation id into <paramref name="frame"/> first.
    /// </summary>
    public Task<byte[]> SendFrameAsync(Memory<byte> frame, CancellationToken cancellationToken)
    {
        var (apiKey, version) = ReadFrameHeader(frame.Span);
        return SendForBodyAsync(frame, apiKey, version, body: null, cancellationToken);
    }

    /// <summary>
    /// Sends one whole pre-encoded frame (size prefix included); its response goes to <paramref name="handler"/>
    /// on the read loop, with <paramref name="tag"/>. Without a handler no response is expected (Produce with
    /// acks=0); one that comes anyway fails the connection. The connection writes its own correlation id into
    /// <paramref name="frame"/>, which the caller may reuse once this completes (the frame is written, not kept).
    /// </summary>
    /// <remarks>
    /// Once the request is queued, the handler hears exactly one of OnResponse or OnFailure, and this method
    /// completes without throwing even if the write then fails (the failure reaches the handler). It throws only
    /// when the request was not queued: the connection had failed or was disposed, or
    /// <paramref name="cancellationToken"/> was cancelled while it waited for room or its turn.
    /// </remarks>
    public ValueTask SendFrameAsync(Memory<byte> frame, IResponseHandler? handler, int tag, CancellationToken cancellationToken)
    {
        var (apiKey, version) = ReadFrameHeader(frame.Span);
        return SendCoreAsync(frame, apiKey, version, body: null, handler, tag, cancellationToken);
    }

    /// <summary>
    /// Closes the connection. Pending requests fail with a <see cref="KafkaConnectionException"/> ("closed by this
    /// client"); later sends throw <see cref="ObjectDisposedException"/>.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Fail(new KafkaConnectionException(Endpoint, "closed by this client"));
        _input.CancelPendingRead();
        await _readLoop;

        // A sender inside a write finishes first (Fail cancelled its flush), so the writer is completed by nobody else.
        await _sendLock.WaitAsync(CancellationToken.None);
        try
        {
            await _input.CompleteAsync();
            await _output.CompleteAsync();
        }
        finally
        {
            _sendLock.Release();
        }

        await _transport.DisposeAsync();

        // The semaphores are not disposed: a sender still waiting on one wakes up, sees the connection disposed and throws.
    }

    private static void CheckVersion<TRequest>(short version)
        where TRequest : IApiMessage
    {
        if (version < TRequest.LowestSupportedVersion || version > TRequest.HighestSupportedVersion)
        {
            throw new ArgumentOutOfRangeException(nameof(version), version,
                $"{typeof(TRequest).Name} has versions {TRequest.LowestSupportedVersion}-{TRequest.HighestSupportedVersion}");
        }
    }

    private static (ApiKey ApiKey, short Version) ReadFrameHeader(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < RequestFrameWriter.MinimumFrameLength || BinaryPrimitives.ReadInt32BigEndian(frame) != frame.Length - sizeof(int))
        {
            throw new ArgumentException($"{frame.Length} bytes are not one whole request frame (size prefix, then that many bytes)", nameof(frame));
        }

        var apiKey = (ApiKey)BinaryPrimitives.ReadInt16BigEndian(frame[RequestFrameWriter.ApiKeyOffset..]);
        if (!ApiKeys.IsValid(apiKey))
        {
            throw new ArgumentException($"api key {(short)apiKey} is not one of the generated schemas, so its response header cannot be read", nameof(frame));
        }

        return (apiKey, BinaryPrimitives.ReadInt16BigEndian(frame[(RequestFrameWriter.ApiKeyOffset + 2)..]));
    }

    /// <summary>
    /// ApiVersions at the highest version we know. A broker that does not know it answers (KIP-511) with a v0
    /// body, UNSUPPORTED_VERSION and its own ApiVersions range; we ask again at its highest, or v0.
    /// </summary>
    private async Task<NegotiatedVersions> NegotiateAsync(KafkaConnectionOptions options, CancellationToken cancellationToken)
    {
        var version = ApiVersionsRequest.HighestSupportedVersion;
        while (true)
        {
            var request = new ApiVersionsRequest
            {
                ClientSoftwareName = options.ClientSoftwareName,
                ClientSoftwareVersion = options.ClientSoftwareVersion,
            };
            var body = await SendForBodyAsync(default, ApiKey.ApiVersions, version, request, cancellationToken);
            ApiVersionsResponse response;
            try
            {
                // The error code is the first field at every version, so it tells how to read the rest.
                var unsupported = body.Length >= sizeof(short) && BinaryPrimitives.ReadInt16BigEndian(body) == (short)ErrorCode.UnsupportedVersion;
                response = KafkaMessage.Deserialize<ApiVersionsResponse>(body, unsupported ? (short)0 : version);
            }
            catch (ProtocolException exception)
            {
                throw new KafkaConnectionException(Endpoint, $"its ApiVersions v{version} response does not decode: {exception.Message}", exception);
            }

            var error = (ErrorCode)response.ErrorCode;
            if (error == ErrorCode.None)
            {
                return new NegotiatedVersions(Endpoint, response.ApiKeys);
            }

            if (error != ErrorCode.UnsupportedVersion || version == 0)
            {
                throw new KafkaConnectionException(Endpoint, $"ApiVersions v{version} answered {error}");
            }

            var advertised = response.ApiKeys.Find(k => k.ApiKey == (short)ApiKey.ApiVersions);
            version = advertised is not null && advertised.MaxVersion < version ? Math.Max((short)0, advertised.MaxVersion) : (short)0;
        }
    }

    private readonly record struct Entry(PendingRequest Request, IResponseHandler Handler);
}
