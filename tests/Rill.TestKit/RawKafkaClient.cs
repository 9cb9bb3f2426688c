using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.TestKit;

/// <summary>
/// A bare Kafka protocol client for tests: sends exact bytes or encoded requests and reads raw frames, so
/// tests can state what goes on the wire and what comes back, including garbage and closed connections.
/// </summary>
public sealed class RawKafkaClient : IAsyncDisposable
{
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly IDisposable? _owner;
    private int _nextCorrelationId = 1;

    public RawKafkaClient(PipeReader input, PipeWriter output, IDisposable? owner = null)
    {
        _input = input;
        _output = output;
        _owner = owner;
    }

    public static async Task<RawKafkaClient> ConnectAsync(string host, int port)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(host, port);
        var stream = client.GetStream();
        return new RawKafkaClient(PipeReader.Create(stream), PipeWriter.Create(stream), client);
    }

    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        await _output.WriteAsync(bytes);
    }

    /// <summary>Encodes a request with the header version its api key and version call for; returns its correlation id.</summary>
    public async Task<int> SendAsync(ApiKey apiKey, short version, IKafkaMessage request, string? clientId = "rill-tests", int? correlationId = null)
    {
        var id = correlationId ?? _nextCorrelationId++;
        await SendRawAsync(Encode(apiKey, version, id, clientId, request));
        return id;
    }

    public static byte[] Encode(ApiKey apiKey, short version, int correlationId, string? clientId, IKafkaMessage request)
    {
        var headerVersion = ApiKeys.RequestHeaderVersion(apiKey, version);
        var clientIdBytes = clientId is null ? 0 : Encoding.UTF8.GetByteCount(clientId);
        var headerSize = 8 + (headerVersion >= 1 ? 2 + clientIdBytes : 0) + (headerVersion >= 2 ? 1 : 0);
        var bodySize = request.ComputeSize(version);
        var bytes = new byte[4 + headerSize + bodySize];
        BinaryPrimitives.WriteInt32BigEndian(bytes, headerSize + bodySize);
        BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(4), (short)apiKey);
        BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(6), version);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), correlationId);
        var position = 12;
        if (headerVersion >= 1)
        {
            BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(position), clientId is null ? (short)-1 : (short)clientIdBytes);
            position += 2;
            if (clientId is not null)
            {
                position += Encoding.UTF8.GetBytes(clientId, bytes.AsSpan(position));
            }
        }

        if (headerVersion >= 2)
        {
            bytes[position++] = 0;
        }

        var writer = new KafkaWriter(bytes.AsSpan(position));
        request.Write(ref writer, version);
        return bytes;
    }

    /// <summary>Reads one whole response frame (without its size prefix), or null when the broker closed the connection.</summary>
    public async Task<byte[]?> ReceiveFrameAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _input.ReadAsync(cancel.Token);
            }
            catch (IOException)
            {
                return null;
            }

            var buffer = result.Buffer;
            if (buffer.Length >= 4)
            {
                var prefix = new byte[4];
                buffer.Slice(0, 4).CopyTo(prefix);
                var size = BinaryPrimitives.ReadInt32BigEndian(prefix);
                if (buffer.Length >= 4 + size)
                {
                    var frame = buffer.Slice(4, size).ToArray();
                    _input.AdvanceTo(buffer.GetPosition(4 + size));
                    return frame;
                }
            }

            _input.AdvanceTo(buffer.Start, buffer.End);
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
        var received = BinaryPrimitives.ReadInt32BigEndian(frame);
        if (received != correlationId)
        {
            throw new InvalidDataException($"Expected correlation id {correlationId}, got {received}.");
        }

        var headerSize = ApiKeys.ResponseHeaderVersion(apiKey, version) >= 1 ? 5 : 4;
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
        await _output.CompleteAsync();
        await _input.CompleteAsync();
        _owner?.Dispose();
    }
}
