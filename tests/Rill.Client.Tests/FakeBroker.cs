using System.Buffers;
using System.IO.Pipelines;
using Rill.Protocol;
using Rill.Protocol.Framing;
using Rill.Protocol.Messages;

namespace Rill.Client.Tests;

/// <summary>
/// The broker's end of one in-memory connection, played by the test: it reads the client's request frames and
/// writes whatever responses (or garbage, or nothing) the test wants. Also the transport that hands the client
/// the other end.
/// </summary>
internal sealed class FakeBroker : IKafkaTransport
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly Pipe _toBroker = new(new PipeOptions(useSynchronizationContext: false));
    private readonly Pipe _toClient = new(new PipeOptions(useSynchronizationContext: false));

    public PipeWriter Output => _toClient.Writer;

    public int Connects { get; private set; }

    /// <summary>The ranges <see cref="AnswerApiVersionsAsync"/> advertises unless told otherwise.</summary>
    public static ApiVersionsResponse.ApiVersion[] DefaultRanges =>
    [
        new() { ApiKey = (short)ApiKey.ApiVersions, MinVersion = 0, MaxVersion = 4 },
        new() { ApiKey = (short)ApiKey.Metadata, MinVersion = 0, MaxVersion = 12 },
        new() { ApiKey = (short)ApiKey.Produce, MinVersion = 3, MaxVersion = 11 },
    ];

    public ValueTask<IKafkaTransportConnection> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        Connects++;
        return ValueTask.FromResult<IKafkaTransportConnection>(new ClientEnd(_toClient.Reader, _toBroker.Writer));
    }

    /// <summary>Connects a client through this broker and answers its ApiVersions with <paramref name="ranges"/>.</summary>
    public async Task<KafkaConnection> ConnectClientAsync(KafkaConnectionOptions? options = null, ApiVersionsResponse.ApiVersion[]? ranges = null)
    {
        var connecting = KafkaConnection.ConnectAsync("fake", 9092, (options ?? new KafkaConnectionOptions()) with { Transport = this }, CancellationToken.None);
        var request = await ReadRequestAsync();
        Assert.Equal(ApiKey.ApiVersions, request.ApiKey);
        await AnswerAsync(request, new ApiVersionsResponse { ApiKeys = [.. ranges ?? DefaultRanges] });
        return await connecting.WaitAsync(Timeout);
    }

    /// <summary>The next whole request frame the client wrote.</summary>
    public async Task<ReceivedRequest> ReadRequestAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var input = _toBroker.Reader;
        while (true)
        {
            var result = await input.ReadAsync(timeout.Token);
            var buffer = result.Buffer;
            if (FrameReader.TryReadFrame(ref buffer, int.MaxValue, out var frame, out _) == FrameStatus.Complete)
            {
                var bytes = frame.ToArray();
                input.AdvanceTo(buffer.Start);
                var reader = new KafkaReader(bytes);
                var header = RequestHeader.ReadFrom(ref reader, out _);
                return new ReceivedRequest(header, bytes[reader.Position..]);
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            Assert.False(result.IsCompleted, "the client closed its side");
        }
    }

    public async Task AnswerAsync(ReceivedRequest request, IKafkaMessage body) =>
        await AnswerAsync(request.ApiKey, request.Version, request.CorrelationId, body);

    public async Task AnswerAsync(ApiKey apiKey, short version, int correlationId, IKafkaMessage body)
    {
        ResponseFrameWriter.Write(Output, apiKey, version, correlationId, body);
        await Output.FlushAsync();
    }

    public async Task WriteRawAsync(byte[] bytes) => await Output.WriteAsync(bytes);

    /// <summary>The broker goes away: the client's reads end.</summary>
    public async Task CloseAsync() => await Output.CompleteAsync();

    internal sealed record ReceivedRequest(RequestHeader Header, byte[] Body)
    {
        public ApiKey ApiKey => Header.ApiKey;

        public short Version => Header.RequestApiVersion;

        public int CorrelationId => Header.CorrelationId;

        public T Decode<T>()
            where T : IKafkaMessage<T> => KafkaMessage.Deserialize<T>(Body, Version);
    }

    private sealed class ClientEnd(PipeReader input, PipeWriter output) : IKafkaTransportConnection
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
