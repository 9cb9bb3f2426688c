using Rill.Common;
using Rill.Protocol.Messages;
using Rill.TestKit;

namespace Rill.Server.Tests.Network;

/// <summary>
/// <c>queued.max.request.bytes</c> over real connections: a burst larger than the budget is served in full (bytes
/// are given back as answers go out), and a long-poll Fetch holding budget does not stop another connection's Produce.
/// </summary>
public sealed class QueuedRequestBytesTests
{
    [Fact]
    public async Task PipelinedBurstFarLargerThanTheBudget_IsAnsweredInFull_WithConsecutiveOffsets()
    {
        await using var node = await RillTestNode.StartAsync("queued.max.request.bytes=4096");
        await using var client = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);
        await ProduceFetchTests.CreateTopicAsync(client, "budget-burst");
        var batch = ProduceFetchTests.Batch(100);
        Assert.True(batch.Length > 1000);

        var ids = new List<int>();
        for (var i = 0; i < 100; i++)
        {
            ids.Add(await client.SendAsync(ApiKey.Produce, 9, ProduceFetchTests.ProduceTo("budget-burst", 0, batch)));
        }

        for (var i = 0; i < ids.Count; i++)
        {
            var response = await client.ReceiveAsync<ProduceResponse>(ApiKey.Produce, 9, ids[i]);
            var partition = Assert.Single(Assert.Single(response.Responses).PartitionResponses);
            Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
            Assert.Equal(100L * i, partition.BaseOffset);
        }
    }

    [Fact]
    public async Task LongPollFetchHoldingTheBudget_DoesNotStopAnotherConnectionsProduce_ThatWakesIt()
    {
        await using var node = await RillTestNode.StartAsync("queued.max.request.bytes=100");
        await using var consumer = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);
        await using var producer = await RawKafkaClient.ConnectAsync("127.0.0.1", node.Port);
        await ProduceFetchTests.CreateTopicAsync(consumer, "budget-poll");

        // The Fetch alone passes the 100-byte budget (its connection held nothing); the Metadata pipelined behind it
        // must wait for the Fetch's answer.
        var fetchId = await consumer.SendAsync(ApiKey.Fetch, 12, new FetchRequest
        {
            MaxWaitMs = 60_000,
            MinBytes = 1,
            MaxBytes = 1 << 20,
            Topics =
            [
                new FetchRequest.FetchTopic
                {
                    Topic = "budget-poll",
                    Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 0, PartitionMaxBytes = 1 << 20 }],
                },
            ],
        });
        var metadataId = await consumer.SendAsync(ApiKey.Metadata, 12, new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "budget-poll" }] });

        var produced = await producer.RoundTripAsync<ProduceResponse>(ApiKey.Produce, 9, ProduceFetchTests.ProduceTo("budget-poll", 0, ProduceFetchTests.Batch(3)));
        Assert.Equal((short)ErrorCode.None, produced.Responses[0].PartitionResponses[0].ErrorCode);

        var fetched = await consumer.ReceiveAsync<FetchResponse>(ApiKey.Fetch, 12, fetchId);
        Assert.Equal(3, fetched.Responses[0].Partitions[0].HighWatermark);
        var metadata = await consumer.ReceiveAsync<MetadataResponse>(ApiKey.Metadata, 12, metadataId);
        Assert.Equal("budget-poll", Assert.Single(metadata.Topics).Name);
    }
}
