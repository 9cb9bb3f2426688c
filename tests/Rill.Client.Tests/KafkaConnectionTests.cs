using Rill.Common;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.TestKit;

namespace Rill.Client.Tests;

/// <summary>The connection against a broker the test plays over in-memory pipes: every byte and every timing is the test's.</summary>
public sealed class KafkaConnectionTests
{
    private static readonly TimeSpan Timeout = FakeBroker.Timeout;

    [Fact]
    public async Task Connect_NegotiatesTheHighestVersionBothSidesSupport()
    {
        var broker = new FakeBroker();
        var connecting = KafkaConnection.ConnectAsync("fake", 9092, new KafkaConnectionOptions { Transport = broker, ClientId = "neg" }, CancellationToken.None);

        var apiVersions = await broker.ReadRequestAsync();
        Assert.Equal(ApiKey.ApiVersions, apiVersions.ApiKey);
        Assert.Equal(ApiVersionsRequest.HighestSupportedVersion, apiVersions.Version);
        Assert.Equal("neg", apiVersions.Header.ClientId);
        Assert.Equal("rill-client", apiVersions.Decode<ApiVersionsRequest>().ClientSoftwareName);
        await broker.AnswerAsync(apiVersions, new ApiVersionsResponse
        {
            ApiKeys =
            [
                new() { ApiKey = (short)ApiKey.ApiVersions, MinVersion = 0, MaxVersion = 4 },
                new() { ApiKey = (short)ApiKey.Metadata, MinVersion = 0, MaxVersion = 99 },
                new() { ApiKey = (short)ApiKey.Fetch, MinVersion = 4, MaxVersion = 7 },
                new() { ApiKey = (short)ApiKey.Produce, MinVersion = 20, MaxVersion = 30 },
                new() { ApiKey = 999, MinVersion = 0, MaxVersion = 3 },
            ],
        });
        await using var connection = await connecting.WaitAsync(Timeout, TestContext.Current.CancellationToken);

        var versions = connection.Versions;
        Assert.True(versions.TryGetVersion(ApiKey.Metadata, out var metadata));
        Assert.Equal(MetadataRequest.HighestSupportedVersion, metadata);
        Assert.Equal(7, versions.GetVersion(ApiKey.Fetch));
        Assert.False(versions.TryGetVersion(ApiKey.Produce, out _));
        Assert.True(versions.TryGetBrokerRange(ApiKey.Produce, out var min, out var max));
        Assert.Equal((20, 30), (min, max));
        Assert.False(versions.TryGetVersion(ApiKey.LeaderAndIsr, out _));
        Assert.True(versions.TryNegotiate(ApiKey.Fetch, 4, 5, out var narrowed));
        Assert.Equal(5, narrowed);
        Assert.False(versions.TryNegotiate(ApiKey.Fetch, 8, 17, out _));
        Assert.Equal("fake:9092", connection.Endpoint);
    }

    [Fact]
    public async Task Connect_BrokerWithoutOurApiVersionsVersion_RetriesAtTheVersionItAdvertises()
    {
        var broker = new FakeBroker();
        var connecting = KafkaConnection.ConnectAsync("fake", 9092, new KafkaConnectionOptions { Transport = broker }, CancellationToken.None);

        // KIP-511: a v0 body with UNSUPPORTED_VERSION and only the ApiVersions range, under header v0.
        var first = await broker.ReadRequestAsync();
        await broker.AnswerAsync(ApiKey.ApiVersions, 0, first.CorrelationId, new ApiVersionsResponse
        {
            ErrorCode = (short)ErrorCode.UnsupportedVersion,
            ApiKeys = [new() { ApiKey = (short)ApiKey.ApiVersions, MinVersion = 0, MaxVersion = 2 }],
        });
        var second = await broker.ReadRequestAsync();
        Assert.Equal(2, second.Version);
        await broker.AnswerAsync(second, new ApiVersionsResponse { ApiKeys = [.. FakeBroker.DefaultRanges] });
        await using var connection = await connecting.WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(12, connection.Versions.GetVersion(ApiKey.Metadata));
    }

    [Fact]
    public async Task Connect_ApiVersionsError_FailsTheConnectClearly()
    {
        var broker = new FakeBroker();
        var connecting = KafkaConnection.ConnectAsync("fake", 9092, new KafkaConnectionOptions { Transport = broker }, CancellationToken.None);
        var request = await broker.ReadRequestAsync();
        await broker.AnswerAsync(request, new ApiVersionsResponse { ErrorCode = (short)ErrorCode.InvalidRequest });

        var failure = await Assert.ThrowsAsync<KafkaConnectionException>(() => connecting.WaitAsync(Timeout, TestContext.Current.CancellationToken));

        Assert.Equal("ApiVersions v4 answered InvalidRequest", failure.Reason);
        Assert.Equal("fake:9092", failure.Endpoint);
    }

    [Fact]
    public async Task SendAsync_ForAnApiTheBrokerLacks_FailsWithUnsupportedVersion_AndSendsNothing()
    {
        var broker = new FakeBroker();
        await using var connection = await broker.ConnectClientAsync();

        var failure = await Assert.ThrowsAsync<KafkaException>(() =>
            connection.SendAsync<DescribeClusterRequest, DescribeClusterResponse>(new DescribeClusterRequest(), CancellationToken.None));

        Assert.Equal(ErrorCode.UnsupportedVersion, failure.ErrorCode);
        Assert.Equal("fake:9092 cannot take DescribeCluster v0-v1: it does not serve that api at all", failure.Message);
        var metadata = connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest(), CancellationToken.None);
        var next = await broker.ReadRequestAsync();
        Assert.Equal(ApiKey.Metadata, next.ApiKey);
        Assert.Equal(12, next.Version);
        await broker.AnswerAsync(next, new MetadataResponse { ClusterId = "after" });
        Assert.Equal("after", (await metadata.WaitAsync(Timeout, TestContext.Current.CancellationToken)).ClusterId);
    }

    [Fact]
    public async Task PipelinedRequests_GetTheirOwnResponses_InOrder()
    {
        var broker = new FakeBroker();
        await using var connection = await broker.ConnectClientAsync();

        var calls = new List<Task<MetadataResponse>>();
        for (var i = 0; i < 10; i++)
        {
            calls.Add(connection.SendAsync<MetadataRequest, MetadataResponse>(
                new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = $"t{i}" }] }, CancellationToken.None));
        }

        var requests = new List<FakeBroker.ReceivedRequest>();
        for (var i = 0; i < 10; i++)
        {
            requests.Add(await broker.ReadRequestAsync());
        }

        Assert.Equal(10, requests.Select(r => r.CorrelationId).Distinct().Count());
        Assert.Equal([.. requests.Select(r => r.CorrelationId).Order()], requests.Select(r => r.CorrelationId));
        foreach (var request in requests)
        {
            var topic = request.Decode<MetadataRequest>().Topics![0].Name;
            await broker.AnswerAsync(request, new MetadataResponse { ClusterId = $"answer-to-{topic}" });
        }

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal($"answer-to-t{i}", (await calls[i].WaitAsync(Timeout, TestContext.Current.CancellationToken)).ClusterId);
        }
    }

    [Fact]
    public async Task HandlerSends_HearResponsesInOrder_WithTheirTags_AndTheFrameCanBeReused()
    {
        var broker = new FakeBroker();
        await using var connection = await broker.ConnectClientAsync();
        var handler = new RecordingHandler();
        var frame = connection.Frames.Encode(ApiKey.Metadata, 12, correlationId: 0, new MetadataRequest());

        for (var tag = 0; tag < 3; tag++)
        {
            await connection.SendFrameAsync(frame, handler, tag, CancellationToken.None);
        }

        var requests = new[] { await broker.ReadRequestAsync(), await broker.ReadRequestAsync(), await broker.ReadRequestAsync() };
        foreach (var request in requests)
        {
            await broker.AnswerAsync(request, new MetadataResponse { ControllerId = request.CorrelationId });
        }

        for (var tag = 0; tag < 3; tag++)
        {
            var outcome = await handler.NextAsync();
            Assert.Null(outcome.Failure);
            Assert.Equal(tag, outcome.Request.Tag);
            Assert.Equal(requests[tag].CorrelationId, outcome.Request.CorrelationId);
            Assert.Equal(ApiKey.Metadata, outcome.Request.ApiKey);
            Assert.Equal(12, outcome.Request.ApiVersion);
            Assert.Equal(requests[tag].CorrelationId, KafkaMessage.Deserialize<MetadataResponse>(outcome.Body!, 12).ControllerId);
        }
    }

    [Fact]
    public async Task RawFrame_ReturnsTheResponseBodyBytes()
    {
        var broker = new FakeBroker();
        await using var connection = await broker.ConnectClientAsync();
        var frame = new RequestFrameWriter("raw").Encode(ApiKey.Metadata, 9, correlationId: 0, new MetadataRequest());

        var call = connection.SendFrameAsync(frame, CancellationToken.None);
        var request = await broker.ReadRequestAsync();
        Assert.Equal("raw", request.Header.ClientId);
        var answer = new MetadataResponse { ClusterId = "raw-answer" };
        await broker.AnswerAsync(request, answer);

        Assert.Equal(KafkaMessage.Serialize(answer, 9), await call.WaitAsync(Timeout, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task InFlightLimit_HoldsTheNextSender_UntilAResponseComes()
    {
        var broker = new FakeBroker();
        await using var connection = await broker.ConnectClientAsync(new KafkaConnectionOptions { MaxInFlightRequests = 2 });
        var handler = new RecordingHandler();
        var frame = connection.Frames.Encode(ApiKey.Metadata, 12, correlationId: 0, new MetadataRequest());
        await connection.SendFrameAsync(frame, handler, 1, CancellationToken.None);
        await connection.SendFrameAsync(frame, handler, 2, CancellationToken.None);

        var third = connection.SendFrameAsync(frame, handler, 3, CancellationToken.None).AsTask();

        Assert.False(third.IsCompleted);
        var first = await broker.ReadRequestAsync();
        var second = await broker.ReadRequestAsync();
        await broker.AnswerAsync(first, new MetadataResponse());
        await third.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        var last = await broker.ReadRequestAsync();
        Assert.Equal(second.CorrelationId + 1, last.CorrelationId);
        Assert.Equal(1, (await handler.NextAsync()).Request.Tag);
    }

    [Fact]
    public async Task PeerClosingMidResponse_FailsEveryPendingRequest_AndLaterSends()
    {
        var broker = new FakeBroker();
        await using var connection = await broker.ConnectClientAsync();
        var handler = new RecordingHandler();
        var frame = connection.Frames.Encode(ApiKey.Metadata, 12, correlationId: 0, new MetadataRequest());
        var typed = connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest(), CancellationToken.None);
        await connection.SendFrameAsync(frame, handler, 7, CancellationToken.None);
        var request = await broker.ReadRequestAsync();

        // The size says 100 bytes; only the correlation id comes, then the broker goes.
        await broker.WriteRawAsync([0, 0, 0, 100, .. BitConverter.GetBytes(request.CorrelationId).Reverse()]);
        await broker.CloseAsync();

        var failure = await Assert.ThrowsAsync<KafkaConnectionException>(() => typed.WaitAsync(Timeout, TestContext.Current.CancellationToken));
        Assert.Equal("closed by the peer in the middle of a response", failure.Reason);
        var outcome = await handler.NextAsync();
        Assert.Equal(7, outcome.Request.Tag);
        Assert.Same(failure, outcome.Failure);
        Assert.Same(failure, connection.Failure);
        var later = await Assert.ThrowsAsync<KafkaConnectionException>(() =>
            connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest(), CancellationToken.None));
        Assert.Equal(failure.Reason, later.Reason);
    }

    [Fact]
    public async Task PeerClosingBetweenResponses_FailsThePendingRequest()
    {
        var broker = new FakeBroker();
        await using var connection = await broker.ConnectClientAsync();
        var call = connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest(), CancellationToken.None);
        await broker.ReadRequestAsync();

        await broker.CloseAsync();

        var failure = await Assert.ThrowsAsync<KafkaConnectionException>(() => call.WaitAsync(Timeout, TestContext.Current.CancellationToken));
        Assert.Equal("connection to fake:9092 failed: closed by the peer", failure.Message);
    }

    [Fact]
    public async Task ResponseWithAnUnknownCorrelationId_FailsTheConnection()
    {
        var broker = new FakeBroker();
        await using var connection = await broker.ConnectClientAsync();
        var first = connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest(), CancellationToken.None);
        var second = connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest(), CancellationToken.None);
        var request = await broker.ReadRequestAsync();
        await broker.ReadRequestAsync();

        await broker.AnswerAsync(ApiKey.Metadata, 12, request.CorrelationId + 1000, new MetadataResponse());

        var failure = await Assert.ThrowsAsync<KafkaConnectionException>(() => first.WaitAsync(Timeout, TestContext.Current.CancellationToken));
        Assert.Equal($"it answered correlation id {request.CorrelationId + 1000} where {request.CorrelationId} (Metadata v12) was next", failure.Reason);
        Assert.Same(failure, await Assert.ThrowsAsync<KafkaConnectionException>(() => second.WaitAsync(Timeout, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task ResponseWhenNothingIsPending_FailsTheConnection()
    {
        var broker = new FakeBroker();
        await using var connection = await broker.ConnectClientAsync();

        await broker.AnswerAsync(ApiKey.Metadata, 12, 5, new MetadataResponse());

        var failure = await WaitForFailureAsync(connection);
        Assert.StartsWith("it sent a response of ", failure.Reason, StringComparison.Ordinal);
        Assert.EndsWith(" bytes when no request was waiting", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResponseFrameAboveTheLimit_FailsTheConnection_BeforeItsBytesArrive()
    {
        var broker = new FakeBroker();
        await using var connection = await broker.ConnectClientAsync(new KafkaConnectionOptions { MaxResponseBytes = 1000 });
        var call = connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest(), CancellationToken.None);
        await broker.ReadRequestAsync();

        await broker.WriteRawAsync([0, 0, 0x10, 0]);

        var failure = await Assert.ThrowsAsync<KafkaConnectionException>(() => call.WaitAsync(Timeout, TestContext.Current.CancellationToken));
        Assert.Equal("it sent a response frame of 4096 bytes, outside 4..1000", failure.Reason);
    }

    [Fact]
    public async Task BodyThatDoesNotDecode_FailsOnlyItsRequest()
    {
        var broker = new FakeBroker();
        await using var connection = await broker.ConnectClientAsync();
        var broken = connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest(), CancellationToken.None);
        var request = await broker.ReadRequestAsync();

        // Header v1 (correlation id, no tags), then a body cut short.
        await broker.WriteRawAsync([0, 0, 0, 7, .. BitConverter.GetBytes(request.CorrelationId).Reverse(), 0, 0, 0]);

        await Assert.ThrowsAsync<ProtocolException>(() => broken.WaitAsync(Timeout, TestContext.Current.CancellationToken));
        Assert.Null(connection.Failure);
        var next = connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest(), CancellationToken.None);
        await broker.AnswerAsync(await broker.ReadRequestAsync(), new MetadataResponse { ClusterId = "still-here" });
        Assert.Equal("still-here", (await next.WaitAsync(Timeout, TestContext.Current.CancellationToken)).ClusterId);
    }

    [Fact]
    public async Task CancelledRequest_CompletesAsCancelled_AndItsLateResponseDoesNotShiftTheOthers()
    {
        var broker = new FakeBroker();
        await using var connection = await broker.ConnectClientAsync();
        using var cancel = new CancellationTokenSource();
        var cancelled = connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest(), cancel.Token);
        var kept = connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest(), CancellationToken.None);
        var first = await broker.ReadRequestAsync();
        var second = await broker.ReadRequestAsync();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Timeout, TestContext.Current.CancellationToken));
        await broker.AnswerAsync(first, new MetadataResponse { ClusterId = "late" });
        await broker.AnswerAsync(second, new MetadataResponse { ClusterId = "kept" });

        Assert.Equal("kept", (await kept.WaitAsync(Timeout, TestContext.Current.CancellationToken)).ClusterId);
        Assert.Null(connection.Failure);
    }

    [Fact]
    public async Task CancelledWhileWaitingForRoom_SendsNothing()
    {
        var broker = new FakeBroker();
        await using var connection = await broker.ConnectClientAsync(new KafkaConnectionOptions { MaxInFlightRequests = 1 });
        var handler = new RecordingHandler();
        var frame = connection.Frames.Encode(ApiKey.Metadata, 12, correlationId: 0, new MetadataRequest());
        await connection.SendFrameAsync(frame, handler, 1, CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var waiting = connection.SendFrameAsync(frame, handler, 2, cancel.Token).AsTask();
        Assert.False(waiting.IsCompleted);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Timeout, TestContext.Current.CancellationToken));
        var only = await broker.ReadRequestAsync();
        await broker.AnswerAsync(only, new MetadataResponse());
        Assert.Equal(1, (await handler.NextAsync()).Request.Tag);
        await connection.SendFrameAsync(frame, handler, 3, CancellationToken.None);
        Assert.Equal(only.CorrelationId + 1, (await broker.ReadRequestAsync()).CorrelationId);
        Assert.False(handler.TryNext(out _));
    }

    [Fact]
    public async Task Dispose_FailsPendingRequests_AndLaterSendsThrow()
    {
        var broker = new FakeBroker();
        var connection = await broker.ConnectClientAsync();
        var call = connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest(), CancellationToken.None);
        await broker.ReadRequestAsync();

        await connection.DisposeAsync();

        var failure = await Assert.ThrowsAsync<KafkaConnectionException>(() => call.WaitAsync(Timeout, TestContext.Current.CancellationToken));
        Assert.Equal("closed by this client", failure.Reason);
        await Assert.ThrowsAsync<ObjectDisposedException>(() =>
            connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest(), CancellationToken.None));
    }

    [Fact]
    public async Task ProduceWithAcksZero_GoesOutWithoutWaiting_AndTheTypedCallRefusesIt()
    {
        var broker = new FakeBroker();
        await using var connection = await broker.ConnectClientAsync();
        var produce = new ProduceRequest { Acks = 0, TimeoutMs = 1000 };

        await Assert.ThrowsAsync<ArgumentException>(() =>
            connection.SendAsync<ProduceRequest, ProduceResponse>(produce, CancellationToken.None));
        await connection.SendWithoutResponseAsync(produce, 9, CancellationToken.None);

        var request = await broker.ReadRequestAsync();
        Assert.Equal(ApiKey.Produce, request.ApiKey);
        Assert.Equal(0, request.Decode<ProduceRequest>().Acks);
    }

    [Fact]
    public async Task FrameThatIsNotOneWholeRequest_IsRefusedBeforeAnythingIsSent()
    {
        var broker = new FakeBroker();
        await using var connection = await broker.ConnectClientAsync();
        var frame = connection.Frames.Encode(ApiKey.Metadata, 12, correlationId: 0, new MetadataRequest());

        await Assert.ThrowsAsync<ArgumentException>(() => connection.SendFrameAsync(frame.AsMemory(0, frame.Length - 1), CancellationToken.None));
        Assert.Null(connection.Failure);
    }

    private static async Task<KafkaConnectionException> WaitForFailureAsync(KafkaConnection connection)
    {
        // The read loop fails the connection on its own, with no request to report it to.
        await Eventually.UntilAsync(() => connection.Failure is not null, Timeout, "the connection fails");
        return connection.Failure!;
    }
}
