using System.Buffers;
using System.IO.Pipelines;
using Rill.Client;
using Rill.Protocol;
using Rill.Protocol.Framing;
using Rill.Protocol.Messages;

namespace Rill.TestKit;

/// <summary>
/// A bare Kafka protocol client for tests: sends exact bytes or encoded requests and reads raw frames, so
/// tests can state what goes on the wire and what comes back, including garbage and closed connections.
/// Unlike <see cref="KafkaConnection"/> it matches nothing and negotiates nothing (a test says which version
/// and which correlation id it means); the framing, the headers and the transport are Rill.Client's.
/// </summary>
public sealed class RawKafkaClient : IAsyncDisposable
{
    private readonly IKafkaTransportConnection _connection;
    private int _nextCorrelationId = 1;

    public RawKafkaClient(IKafkaTransportConnection connection)
    {
        _connection = connection;
    }

    public static Task<RawKafkaClient> ConnectAsync(string host, int port) => ConnectAsync(SocketTransport.Default, host, port);

    public static async Task<RawKafkaClient> ConnectAsync(IKafkaTransport transport, string host, int port) =>
        new(await transport.ConnectAsync(host, port, CancellationToken.None));

    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        await _connection.Output.WriteAsync(bytes);
    }

    /// <summary>Encodes a request with the header version its api key and version call for; returns its correlation id.</summary>
    public async Task<int> SendAsync(ApiKey apiKey, short version, IKafkaMessage request, string? clientId = "rill-tests", int? correlationId = null)
    {
        var id = correlationId ?? _nextCorrelationId++;
        await SendRawAsync(Encode(apiKey, version, id, clientId, request));
        return id;
    }

    public static byte[] Encode(ApiKey apiKey, short version, int correlationId, string? clientId, IKafkaMessage request) =>
        new RequestFrameWriter(clientId).Encode(apiKey, version, correlationId, request);

    /// <summary>Reads one whole response frame (without its size prefix), or null when the broker closed the connection.</summary>
    public async Task<byte[]?> ReceiveFrameAsync(TimeSpan timeout)
    {
        var input = _connection.Input;
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(cancel.Token);
            }
            catch (IOException)
            {
                return null;
            }

            var buffer = result.Buffer;
            var status = FrameReader.TryReadFrame(ref buffer, minFrameBytes: 0, maxFrameBytes: int.MaxValue, out var frame, out var size);
            if (status == FrameStatus.InvalidSize)
            {
                input.AdvanceTo(buffer.Start);
                throw new InvalidDataException($"The broker sent a frame size of {size}.");
            }

            if (status == FrameStatus.Complete)
            {
                var bytes = frame.ToArray();
                input.AdvanceTo(buffer.Start);
                return bytes;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    /// <summary>Reads the next response and decodes it; fails if the connection closed or the correlation id differs.</summary>
    public async Task<TResponse> ReceiveAsync<TResponse>(ApiKey apiKey, short version, int correlationId, TimeSpan? timeout = null)
        where TResponse : IKafkaMessage<TResponse>
    {
        var frame = await ReceiveFrameAsync(timeout ?? TimeSpan.FromSeconds(10))
            ?? throw new IOException("The broker closed the connection instead of answering.");
        var headerSize = ResponseHeader.ReadFrom(new(frame), ResponseHeader.VersionFor(apiKey, version), out var received);
        if (received != correlationId)
        {
            throw new InvalidDataException($"Expected correlation id {correlationId}, got {received}.");
        }

        var reader = new KafkaReader(frame.AsMemory(headerSize));
        var response = TResponse.Read(ref reader, version);
        if (reader.Remaining != 0)
        {
            throw new InvalidDataException($"{reader.Remaining} bytes were left after decoding {typeof(TResponse).Name} v{version}.");
        }

        return response;
    }

    public async Task<TResponse> RoundTripAsync<TResponse>(ApiKey apiKey, short version, IKafkaMessage request)
        where TResponse : IKafkaMessage<TResponse>
    {
        var id = await SendAsync(apiKey, version, request);
        return await ReceiveAsync<TResponse>(apiKey, version, id);
    }

    /// <summary>True when the broker closes the connection (reads end) within the timeout without sending anything.</summary>
    public async Task<bool> IsClosedByBrokerAsync(TimeSpan timeout)
    {
        try
        {
            return await ReceiveFrameAsync(timeout) is null;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.Output.CompleteAsync();
        await _connection.Input.CompleteAsync();
        await _connection.DisposeAsync();
    }
}
