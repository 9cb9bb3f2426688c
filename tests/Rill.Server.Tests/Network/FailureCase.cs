using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Server.Handlers;
using Rill.TestKit;

namespace Rill.Server.Tests.Network;

/// <summary>One served API for the handler-failure tests: its versions, a valid request, and where its error answer carries the code.</summary>
public abstract class FailureCase
{
    public abstract ApiKey ApiKey { get; }

    public abstract short MinVersion { get; }

    public abstract short MaxVersion { get; }

    public abstract IApiHandler ThrowingHandler(FailureMode mode, Func<Exception> failure);

    public abstract IKafkaMessage Request(short version);

    /// <summary>Reads the answer with <paramref name="correlationId"/> at <paramref name="version"/> and asserts the code is where the shape carries it.</summary>
    public abstract Task AssertErrorAnswerAsync(RawKafkaClient client, short version, int correlationId, short errorCode);

    /// <summary>Reads an ordinary answer with <paramref name="correlationId"/>: it decodes at <paramref name="version"/> and nothing is left over.</summary>
    public abstract Task ReceiveAnswerAsync(RawKafkaClient client, short version, int correlationId);

    public override string ToString() => ApiKey.ToString();
}

/// <summary>The <see cref="FailureCase"/> of one request and response type.</summary>
public sealed class FailureCase<TRequest, TResponse> : FailureCase
    where TRequest : IKafkaMessage<TRequest>, IApiMessage
    where TResponse : IKafkaMessage<TResponse>, new()
{
    private readonly Func<short, TRequest> _request;
    private readonly Action<TResponse, short, short> _assert;

    public FailureCase(short minVersion, short maxVersion, Func<short, TRequest> request, Action<TResponse, short, short> assert)
    {
        MinVersion = minVersion;
        MaxVersion = maxVersion;
        _request = request;
        _assert = assert;
    }

    public override ApiKey ApiKey => TRequest.ApiKey;

    public override short MinVersion { get; }

    public override short MaxVersion { get; }

    public override IApiHandler ThrowingHandler(FailureMode mode, Func<Exception> failure) =>
        new ThrowingHandler<TRequest, TResponse>(MinVersion, MaxVersion, mode, failure);

    public override IKafkaMessage Request(short version) => _request(version);

    public override async Task AssertErrorAnswerAsync(RawKafkaClient client, short version, int correlationId, short errorCode)
    {
        var response = await client.ReceiveAsync<TResponse>(ApiKey, version, correlationId);
        _assert(response, version, errorCode);
    }

    public override async Task ReceiveAnswerAsync(RawKafkaClient client, short version, int correlationId) =>
        await client.ReceiveAsync<TResponse>(ApiKey, version, correlationId);
}
