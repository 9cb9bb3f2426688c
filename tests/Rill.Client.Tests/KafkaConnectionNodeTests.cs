using Rill.Common;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;
using Rill.TestKit;

namespace Rill.Client.Tests;

/// <summary>The connection against a real node in this process, over sockets.</summary>
public sealed class KafkaConnectionNodeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Connect_NegotiatesWithARealNode_AndTypedCallsWork()
    {
        await using var node = await RillTestNode.StartAsync();
        await using var connection = await KafkaConnection.ConnectAsync("127.0.0.1", node.Port, new KafkaConnectionOptions(), TestContext.Current.CancellationToken);

        Assert.True(connection.Versions.TryGetBrokerRange(ApiKey.Metadata, out _, out var brokerMax));
        Assert.Equal(Math.Min(brokerMax, MetadataRequest.HighestSupportedVersion), connection.Versions.GetVersion(ApiKey.Metadata));
        Assert.Equal(ApiVersionsRequest.HighestSupportedVersion, connection.Versions.GetVersion(ApiKey.ApiVersions));
        var metadata = await connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [] }, TestContext.Current.CancellationToken);
        var broker = Assert.Single(metadata.Brokers);
        Assert.Equal(node.Port, broker.Port);
        var missing = await Assert.ThrowsAsync<KafkaException>(() =>
            connection.SendAsync<LeaderAndIsrRequest, LeaderAndIsrResponse>(new LeaderAndIsrRequest(), TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCode.UnsupportedVersion, missing.ErrorCode);
        Assert.Equal($"127.0.0.1:{node.Port} cannot take LeaderAndIsr v0-v7: it does not serve that api at all", missing.Message);
    }

    [Fact]
    public async Task PipelinedProduceFrames_AreAnsweredInOrder_WithConsecutiveOffsets()
    {
        await using var node = await RillTestNode.StartAsync();
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var connection = await KafkaConnection.ConnectAsync("127.0.0.1", node.Port, new KafkaConnectionOptions { MaxInFlightRequests = 4 }, cancellationToken);
        var created = await connection.SendAsync<CreateTopicsRequest, CreateTopicsResponse>(new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = "pipelined", NumPartitions = 1, ReplicationFactor = 1 }],
            TimeoutMs = 10_000,
        }, cancellationToken);
        Assert.Equal((short)ErrorCode.None, Assert.Single(created.Topics).ErrorCode);
        var builder = new RecordBatchBuilder(CompressionCodec.None);
        builder.Append(1_700_000_000_000, key: null, "v"u8.ToArray());
        builder.Append(1_700_000_000_000, key: null, "w"u8.ToArray());
        var version = connection.Versions.GetVersion(ApiKey.Produce);
        var frame = connection.Frames.Encode(ApiKey.Produce, version, correlationId: 0, new ProduceRequest
        {
            Acks = 1,
            TimeoutMs = 10_000,
            TopicData =
            [
                new ProduceRequest.TopicProduceData
                {
                    Name = "pipelined",
                    PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = builder.Build() }],
                },
            ],
        });
        var handler = new RecordingHandler();

        for (var tag = 0; tag < 10; tag++)
        {
            await connection.SendFrameAsync(frame, handler, tag, cancellationToken);
        }

        for (var tag = 0; tag < 10; tag++)
        {
            var outcome = await handler.NextAsync().WaitAsync(Timeout, cancellationToken);
            Assert.Null(outcome.Failure);
            Assert.Equal(tag, outcome.Request.Tag);
            var partition = Assert.Single(Assert.Single(Rill.Protocol.KafkaMessage.Deserialize<ProduceResponse>(outcome.Body!, version).Responses).PartitionResponses);
            Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
            Assert.Equal(tag * 2L, partition.BaseOffset);
        }
    }

    [Fact]
    public async Task NodeStopping_FailsThePendingLongPoll()
    {
        var node = await RillTestNode.StartAsync();
        var cancellationToken = TestContext.Current.CancellationToken;
        var connection = await KafkaConnection.ConnectAsync("127.0.0.1", node.Port, new KafkaConnectionOptions(), cancellationToken);
        await using (connection)
        {
            await connection.SendAsync<CreateTopicsRequest, CreateTopicsResponse>(new CreateTopicsRequest
            {
                Topics = [new CreateTopicsRequest.CreatableTopic { Name = "quiet", NumPartitions = 1, ReplicationFactor = 1 }],
                TimeoutMs = 10_000,
            }, cancellationToken);
            var metadata = await connection.SendAsync<MetadataRequest, MetadataResponse>(
                new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "quiet" }] }, cancellationToken);
            var poll = connection.SendAsync<FetchRequest, FetchResponse>(new FetchRequest
            {
                MaxWaitMs = 60_000,
                MinBytes = 1,
                MaxBytes = 1 << 20,
                Topics =
                [
                    new FetchRequest.FetchTopic
                    {
                        Topic = "quiet",
                        TopicId = Assert.Single(metadata.Topics).TopicId,
                        Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 0, PartitionMaxBytes = 1 << 20 }],
                    },
                ],
            }, cancellationToken);

            await node.DisposeAsync();

            // A stopping broker first moves its leaderships away (controlled shutdown), which answers the held fetch
            // NOT_LEADER_OR_FOLLOWER; or the connection closes under it. Either way it does not hang.
            var failure = await Record.ExceptionAsync(() => poll.WaitAsync(Timeout, cancellationToken));
            if (failure is null)
            {
                Assert.Equal((short)Rill.Common.ErrorCode.NotLeaderOrFollower, (await poll).Responses[0].Partitions[0].ErrorCode);
            }
            else
            {
                Assert.IsType<KafkaConnectionException>(failure);
            }
        }
    }
}
