using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Cli.Perf.Native;

/// <summary>
/// One Kafka connection for the native perf driver. Requests are pipelined: one sender at a time writes whole
/// frames straight from the caller's buffer (a pre-built Produce frame is sent as is, no copy); one reader loop
/// takes response frames off a pipe and hands each, in request order, to the handler of the request at the head
/// of the queue, checking its correlation id. Nothing is allocated per request: a pending request is a struct in
/// a queue, a response is read in place (or, when it spans pipe segments, from one pooled copy).
/// </summary>
internal sealed class NativeConnection : IAsyncDisposable
{
    /// <summary>Bounds a response's size before anything is read into memory: above any fetch.max.bytes we send.</summary>
    private const int MaxResponseSize = int.MaxValue - 64;

    /// <summary>Large reads: a Fetch response of several MiB is read in few system calls.</summary>
    private static readonly StreamPipeReaderOptions ReaderOptions = new(bufferSize: 1 << 20, minimumReadSize: 64 << 10);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly Queue<PendingRequest> _pending = new();
    private readonly Lock _pendingLock = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly Dictionary<ApiKey, (short Min, short Max)> _versions = [];
    private readonly Task _readLoop;
    private int _correlationId;
    private Exception? _failure;
    private bool _closed;

    private NativeConnection(Socket socket, string endpoint)
    {
        _socket = socket;
        Endpoint = endpoint;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _input = PipeReader.Create(_stream, ReaderOptions);
        _readLoop = ReadLoopAsync();
    }

    /// <summary>host:port, for messages.</summary>
    public string Endpoint { get; }

    /// <summary>Why the connection failed, or null while it works.</summary>
    public Exception? Failure
    {
        get
        {
            lock (_pendingLock)
            {
                return _failure;
            }
        }
    }

    /// <summary>Connects and asks for the broker's API versions (ApiVersions v0, which every broker answers).</summary>
    /// <exception cref="NativeConnectException">The connection was refused, the host unknown, or nothing answered in time.</exception>
    public static async Task<NativeConnection> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var endpoint = $"{host}:{port}";
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connectTimeout.CancelAfter(timeout);
            try
            {
                await socket.ConnectAsync(host, port, connectTimeout.Token);
            }
            catch (SocketException exception)
            {
                socket.Dispose();
                throw new NativeConnectException(endpoint, Describe(exception));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                throw new NativeConnectException(endpoint, $"timed out after {ValueParsers.Describe(timeout)}");
            }
        }

        var connection = new NativeConnection(socket, endpoint);
        try
        {
            var versions = await connection.RequestAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 0, new ApiVersionsRequest(), timeout, cancellationToken);
            if (versions.ErrorCode != 0)
            {
                throw new NativeConnectException(endpoint, $"ApiVersions failed: {(Rill.Common.ErrorCode)versions.ErrorCode}");
            }

            foreach (var range in versions.ApiKeys)
            {
                connection._versions[(ApiKey)range.ApiKey] = (range.MinVersion, range.MaxVersion);
            }

            return connection;
        }
        catch (Exception exception) when (exception is IOException or TimeoutException or InvalidDataException or ProtocolException)
        {
            await connection.DisposeAsync();
            throw new NativeConnectException(endpoint, exception is TimeoutException ? $"no answer within {ValueParsers.Describe(timeout)}" : exception.Message);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The highest version in both [<paramref name="lowest"/>, <paramref name="highest"/>] and the broker's range, or -1.</summary>
    public short NegotiateVersion(ApiKey apiKey, short lowest, short highest)
    {
        if (!_versions.TryGetValue(apiKey, out var broker))
        {
            return -1;
        }

        var version = Math.Min(highest, broker.Max);
        return version >= Math.Max(lowest, broker.Min) ? version : (short)-1;
    }

    public int NextCorrelationId() => Interlocked.Increment(ref _correlationId);

    /// <summary>
    /// Sends one whole frame; one caller at a time. With <paramref name="expectResponse"/> the response goes to
    /// <paramref name="pending"/>'s handler; without (Produce with acks=0) the broker sends none. The frame may be
    /// reused once this completes. When it throws, a request that expected a response has been failed through its
    /// handler (<see cref="IResponseHandler.OnFailure"/>), like every other request waiting on the connection.
    /// </summary>
    /// <exception cref="IOException">The connection failed (before or during the send).</exception>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> frame, PendingRequest pending, bool expectResponse, CancellationToken cancellationToken)
    {
        IOException? failed = null;
        lock (_pendingLock)
        {
            if (_failure is not null || _closed)
            {
                failed = new IOException($"connection to {Endpoint} failed: {_failure?.Message ?? "closed"}", _failure);
            }
            else if (expectResponse)
            {
                _pending.Enqueue(pending);
            }
        }

        if (failed is not null)
        {
            if (expectResponse)
            {
                pending.Handler.OnFailure(pending, failed);
            }

            throw failed;
        }

        try
        {
            await _stream.WriteAsync(frame, cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException)
        {
            // Fails every waiting request, this one included.
            var failure = new IOException($"connection to {Endpoint} failed: {exception.Message}", exception);
            Fail(failure);
            throw failure;
        }
    }

    /// <summary>Sends one request built here and waits for its decoded response (setup and barriers, not the hot path).</summary>
    /// <exception cref="TimeoutException">No response within <paramref name="timeout"/>.</exception>
    public async Task<T> RequestAsync<T>(ApiKey apiKey, short version, IKafkaMessage request, TimeSpan timeout, CancellationToken cancellationToken)
        where T : IKafkaMessage<T>
    {
        var correlationId = NextCorrelationId();
        var frame = RequestFrames.Encode(apiKey, version, correlationId, request);
        var handler = new SingleResponse<T>();
        await SendAsync(frame, new PendingRequest(correlationId, apiKey, version, 0, handler, 0), expectResponse: true, cancellationToken);
        return await handler.Task.WaitAsync(timeout, cancellationToken);
    }

    /// <summary>Closes the connection; requests still waiting get no call (the caller stopped caring).</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_pendingLock)
        {
            _closed = true;
            _pending.Clear();
        }

        await _closing.CancelAsync();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the peer.
        }

        await _readLoop;
        await _input.CompleteAsync();
        await _stream.DisposeAsync();
        _socket.Dispose();
        _closing.Dispose();
    }

    private static string Describe(SocketException exception) => exception.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
        SocketError.TimedOut => "timed out",
        _ => exception.Message,
    };

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(_closing.Token);
                var buffer = result.Buffer;
                while (TryReadFrame(ref buffer, out var frame))
                {
                    Dispatch(frame);
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    throw new IOException($"{Endpoint} closed the connection");
                }
            }
        }
        catch (Exception exception)
        {
            Fail(exception);
        }
    }

    private bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (buffer.Length < sizeof(int))
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[sizeof(int)];
        buffer.Slice(0, sizeof(int)).CopyTo(prefix);
        var size = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (size < sizeof(int) || size > MaxResponseSize)
        {
            throw new InvalidDataException($"{Endpoint} sent a response of {size} bytes");
        }

        if (buffer.Length < sizeof(int) + (long)size)
        {
            return false;
        }

        frame = buffer.Slice(sizeof(int), size);
        buffer = buffer.Slice(frame.End);
        return true;
    }

    private void Dispatch(ReadOnlySequence<byte> frame)
    {
        PendingRequest pending;
        lock (_pendingLock)
        {
            if (!_pending.TryDequeue(out pending))
            {
                throw new InvalidDataException($"{Endpoint} sent a response to no request");
            }
        }

        byte[]? copy = null;
        ReadOnlyMemory<byte> memory;
        if (frame.IsSingleSegment)
        {
            memory = frame.First;
        }
        else
        {
            copy = ArrayPool<byte>.Shared.Rent((int)frame.Length);
            frame.CopyTo(copy);
            memory = copy.AsMemory(0, (int)frame.Length);
        }

        try
        {
            var correlationId = BinaryPrimitives.ReadInt32BigEndian(memory.Span);
            if (correlationId != pending.CorrelationId)
            {
                var mismatch = new InvalidDataException($"{Endpoint} answered correlation id {correlationId} where {pending.CorrelationId} was next");
                pending.Handler.OnFailure(pending, mismatch);
                throw mismatch;
            }

            Handle(pending, memory);
        }
        finally
        {
            if (copy is not null)
            {
                ArrayPool<byte>.Shared.Return(copy);
            }
        }
    }

    /// <summary>Skips the response header and hands the body over; a body that does not decode fails only its request.</summary>
    private static void Handle(in PendingRequest pending, ReadOnlyMemory<byte> frame)
    {
        try
        {
            var reader = new KafkaReader(frame);
            reader.ReadInt32();
            if (ApiKeys.ResponseHeaderVersion(pending.ApiKey, pending.ApiVersion) >= 1)
            {
                reader.ReadUnknownTaggedFields();
            }

            pending.Handler.OnResponse(pending, frame[reader.Position..]);
        }
        catch (Exception exception) when (exception is ProtocolException or InvalidDataException or ArgumentException)
        {
            pending.Handler.OnFailure(pending, exception);
        }
    }

    /// <summary>Marks the connection failed and tells every waiting request, unless it was closed on purpose.</summary>
    private void Fail(Exception exception)
    {
        PendingRequest[] waiting;
        lock (_pendingLock)
        {
            if (_closed || _failure is not null)
            {
                return;
            }

            _failure = exception;
            waiting = [.. _pending];
            _pending.Clear();
        }

        foreach (var pending in waiting)
        {
            pending.Handler.OnFailure(pending, exception);
        }
    }
}
