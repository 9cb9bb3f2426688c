using Microsoft.Extensions.Logging;
using Rill.Common;
using Rill.Protocol.Messages;
using Rill.Server.Handlers;
using Rill.Server.Network;
using Rill.TestKit;

namespace Rill.Server.Tests.Network;

/// <summary>
/// A handler that throws, before its first await or in the awaited part: the request is answered in its own
/// response shape with UNKNOWN_SERVER_ERROR (or a KafkaException's code), the failure is logged once at Error, and
/// the connection goes on serving; an acks=0 Produce, which takes no answer, closes the connection as in Kafka.
/// </summary>
public sealed class HandlerFailureTests : IClassFixture<BrokerFixture>
{
    private const string ClientId = "failing-client";
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);
    private readonly BrokerFixture _broker;

    public HandlerFailureTests(BrokerFixture broker)
    {
        _broker = broker;
    }

    public static TheoryData<ApiKey, short, FailureMode> ServedApisAtTheirLowestAndHighestVersions()
    {
        var data = new TheoryData<ApiKey, short, FailureMode>();
        foreach (var failure in FailureCases.All)
        {
            data.Add(failure.ApiKey, failure.MinVersion, FailureMode.Synchronous);
            data.Add(failure.ApiKey, failure.MaxVersion, FailureMode.Awaited);
            if (failure.MinVersion != failure.MaxVersion)
            {
                data.Add(failure.ApiKey, failure.MinVersion, FailureMode.Awaited);
                data.Add(failure.ApiKey, failure.MaxVersion, FailureMode.Synchronous);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ServedApisAtTheirLowestAndHighestVersions))]
    public async Task HandlerThrows_RequestIsAnsweredInItsShapeWithUnknownServerError_AndTheConnectionServesTheNext(ApiKey apiKey, short version, FailureMode mode)
    {
        var failure = FailureCases.Of(apiKey);
        var logger = new CapturingLogger();
        await using var connection = new InMemoryConnection([failure.ThrowingHandler(mode, () => new InvalidOperationException("handler bug"))], logger);

        var failed = await connection.Client.SendAsync(apiKey, version, failure.Request(version), ClientId, correlationId: 7001);
        await failure.AssertErrorAnswerAsync(connection.Client, version, failed, (short)ErrorCode.UnknownServerError);

        var next = await connection.Client.SendAsync(apiKey, version, failure.Request(version), ClientId, correlationId: 7002);
        await failure.ReceiveAnswerAsync(connection.Client, version, next);

        var error = Assert.Single(logger.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Equal(LogLevel.Error, error.Level);
    }

    [Theory]
    [InlineData(FailureMode.Synchronous)]
    [InlineData(FailureMode.Awaited)]
    public async Task HandlerThrows_IsLoggedOnceAtError_WithApiKeyVersionClientIdAndConnectionId(FailureMode mode)
    {
        var logger = new CapturingLogger();
        var thrown = new InvalidOperationException("handler bug");
        var failure = FailureCases.Of(ApiKey.Metadata);
        await using var connection = new InMemoryConnection([failure.ThrowingHandler(mode, () => thrown)], logger);

        var id = await connection.Client.SendAsync(ApiKey.Metadata, 12, failure.Request(12), ClientId);
        await failure.AssertErrorAnswerAsync(connection.Client, 12, id, (short)ErrorCode.UnknownServerError);

        var entry = Assert.Single(logger.Entries, e => e.Exception is not null);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Same(thrown, entry.Exception);
        Assert.Equal(ApiKey.Metadata, entry.Fields["apiKey"]);
        Assert.Equal((short)12, entry.Fields["apiVersion"]);
        Assert.Equal(ClientId, entry.Fields["clientId"]);
        Assert.Equal(InMemoryConnection.ConnectionId, entry.Fields["connectionId"]);
        Assert.Equal(ErrorCode.UnknownServerError, entry.Fields["errorCode"]);
        Assert.DoesNotContain(logger.Entries, e => e.Level >= LogLevel.Warning && !ReferenceEquals(e, entry));
    }

    [Fact]
    public async Task GroupCoordinatorCallThrows_ThroughGroupApiHandler_IsAnsweredPerGroup_AndTheConnectionStaysOpen()
    {
        var logger = new CapturingLogger();
        var calls = 0;
        var handler = new GroupApiHandler<DeleteGroupsRequest, DeleteGroupsResponse>(
            0,
            (_, request, _) => Interlocked.Increment(ref calls) == 1
                ? throw new InvalidOperationException("coordinator bug")
                : ValueTask.FromResult(new DeleteGroupsResponse
                {
                    Results = [new DeleteGroupsResponse.DeletableGroupResult { GroupId = request.GroupsNames[0] }],
                }));
        await using var connection = new InMemoryConnection([handler], logger);
        var request = new DeleteGroupsRequest { GroupsNames = [FailureCases.Group] };

        var failed = await connection.Client.RoundTripAsync<DeleteGroupsResponse>(ApiKey.DeleteGroups, 2, request);
        var answered = await connection.Client.RoundTripAsync<DeleteGroupsResponse>(ApiKey.DeleteGroups, 2, request);

        var failedGroup = Assert.Single(failed.Results);
        Assert.Equal(FailureCases.Group, failedGroup.GroupId);
        Assert.Equal((short)ErrorCode.UnknownServerError, failedGroup.ErrorCode);
        Assert.Equal((short)ErrorCode.None, Assert.Single(answered.Results).ErrorCode);
        Assert.Single(logger.Entries, e => e.Level == LogLevel.Error);
    }

    [Fact]
    public async Task HandlerThrowsAKafkaException_IsAnsweredWithItsCodeAndMessage()
    {
        var logger = new CapturingLogger();
        var failure = FailureCases.Of(ApiKey.CreateTopics);
        await using var connection = new InMemoryConnection(
            [failure.ThrowingHandler(FailureMode.Awaited, () => new KafkaException(ErrorCode.KafkaStorageError, "the log dir is offline"))],
            logger);

        var response = await connection.Client.RoundTripAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, failure.Request(7));

        var topic = Assert.Single(response.Topics);
        Assert.Equal((short)ErrorCode.KafkaStorageError, topic.ErrorCode);
        Assert.Equal("the log dir is offline", topic.ErrorMessage);
    }

    [Fact]
    public async Task UnknownServerError_CarriesNoMessageOfTheException()
    {
        var failure = FailureCases.Of(ApiKey.CreateTopics);
        await using var connection = new InMemoryConnection(
            [failure.ThrowingHandler(FailureMode.Synchronous, () => new InvalidOperationException("secret internals"))],
            new CapturingLogger());

        var response = await connection.Client.RoundTripAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, failure.Request(7));

        var topic = Assert.Single(response.Topics);
        Assert.Equal((short)ErrorCode.UnknownServerError, topic.ErrorCode);
        Assert.Null(topic.ErrorMessage);
    }

    [Theory]
    [InlineData(FailureMode.Synchronous)]
    [InlineData(FailureMode.Awaited)]
    public async Task ProduceWithAcks0Throws_NothingIsSent_AndTheConnectionCloses(FailureMode mode)
    {
        var logger = new CapturingLogger();
        var failure = FailureCases.Of(ApiKey.Produce);
        await using var connection = new InMemoryConnection([failure.ThrowingHandler(mode, () => new InvalidOperationException("handler bug"))], logger);
        var request = (ProduceRequest)failure.Request(11);
        request.Acks = 0;

        await connection.Client.SendAsync(ApiKey.Produce, 11, request, ClientId);

        Assert.True(await connection.Client.IsClosedByBrokerAsync(CloseTimeout));
        var entry = Assert.Single(logger.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Equal(ApiKey.Produce, entry.Fields["apiKey"]);
        Assert.Equal(ClientId, entry.Fields["clientId"]);
    }

    [Fact]
    public async Task HandlerCancelledAtShutdown_ClosesTheConnectionWithoutAnError()
    {
        var logger = new CapturingLogger();
        var waiting = new WaitsUntilCancelledHandler();
        await using var connection = new InMemoryConnection([waiting], logger);

        await connection.Client.SendAsync(ApiKey.Heartbeat, 4, FailureCases.Of(ApiKey.Heartbeat).Request(4), ClientId);
        await waiting.Started.Task.WaitAsync(CloseTimeout, TestContext.Current.CancellationToken);
        await connection.CancelAsync();
        waiting.Cancel();
        await connection.StopAsync();

        Assert.True(await connection.Client.IsClosedByBrokerAsync(CloseTimeout));
        Assert.DoesNotContain(logger.Entries, e => e.Level > LogLevel.Debug);
    }

    [Fact]
    public async Task EveryApiTheNodeServes_HasAFailureCase_AtTheVersionsItAdvertises()
    {
        await using var client = await _broker.ConnectAsync();
        var response = await client.RoundTripAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 3, new ApiVersionsRequest
        {
            ClientSoftwareName = "rill-tests",
            ClientSoftwareVersion = "1.0",
        });

        var advertised = response.ApiKeys.Select(k => $"{(ApiKey)k.ApiKey} {k.MinVersion}-{k.MaxVersion}").Order().ToList();
        var covered = FailureCases.All.Select(c => $"{c.ApiKey} {c.MinVersion}-{c.MaxVersion}").Order().ToList();
        Assert.Equal(advertised, covered);
    }

    /// <summary>A Heartbeat handler whose answer waits until the test cancels it, as a wait does when the node stops.</summary>
    private sealed class WaitsUntilCancelledHandler : ApiHandler<HeartbeatRequest>
    {
        private readonly TaskCompletionSource<ApiResponse> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Cancel() => _answer.TrySetCanceled();

        protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, HeartbeatRequest request, CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            return new ValueTask<ApiResponse>(_answer.Task);
        }
    }
}
