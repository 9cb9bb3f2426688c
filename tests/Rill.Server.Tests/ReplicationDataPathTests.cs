using System.Diagnostics;
using Rill.Common;
using Rill.Protocol.Messages;
using Rill.TestKit;

namespace Rill.Server.Tests;

/// <summary>The replica manager's data path as a client sees it: acks=-1 against min.insync.replicas, long polls and their timeout.</summary>
public sealed class ReplicationDataPathTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public ReplicationDataPathTests(BrokerFixture broker)
    {
        _broker = broker;
    }

    [Fact]
    public async Task ProduceAcksAll_OneNode_IsAnsweredOnceStored()
    {
        await using var client = await _broker.ConnectAsync();
        await ProduceFetchTests.CreateTopicAsync(client, "rd-acks-all");

        var first = await ProduceAsync(client, "rd-acks-all", acks: -1, records: 3);
        var second = await ProduceAsync(client, "rd-acks-all", acks: -1, records: 2);

        Assert.Equal(((short)ErrorCode.None, 0L), (first.ErrorCode, first.BaseOffset));
        Assert.Equal(((short)ErrorCode.None, 3L), (second.ErrorCode, second.BaseOffset));
        Assert.Equal(5, (await FetchAsync(client, "rd-acks-all", maxWaitMs: 0)).HighWatermark);
    }

    [Fact]
    public async Task ProduceAcksAll_MinInSyncReplicasTwoOnOneNode_NotEnoughReplicasAndNothingStored()
    {
        await using var client = await _broker.ConnectAsync();
        await CreateTopicAsync(client, "rd-min-isr", ("min.insync.replicas", "2"));

        var refused = await ProduceAsync(client, "rd-min-isr", acks: -1, records: 2);
        Assert.Equal(((short)ErrorCode.NotEnoughReplicas, -1L), (refused.ErrorCode, refused.BaseOffset));
        Assert.Equal("The size of the current ISR [1] is insufficient to satisfy the min.isr requirement of 2 for partition rd-min-isr-0", refused.ErrorMessage);
        Assert.Equal(0, (await FetchAsync(client, "rd-min-isr", maxWaitMs: 0)).HighWatermark);

        // acks=1 does not ask for the ISR, as in Kafka.
        var stored = await ProduceAsync(client, "rd-min-isr", acks: 1, records: 1);
        Assert.Equal(((short)ErrorCode.None, 0L), (stored.ErrorCode, stored.BaseOffset));
    }

    [Fact]
    public async Task LongPollingFetch_NothingArrives_AnswersEmptyAtMaxWait()
    {
        await using var client = await _broker.ConnectAsync();
        await ProduceFetchTests.CreateTopicAsync(client, "rd-max-wait");

        var started = Stopwatch.GetTimestamp();
        var fetched = await FetchAsync(client, "rd-max-wait", maxWaitMs: 300);
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.Equal(((short)ErrorCode.None, 0L, 0), (fetched.ErrorCode, fetched.HighWatermark, fetched.Records!.Value.Length));
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(290), $"answered after {elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task LongPollingFetch_IsWokenByAnAppendLongBeforeMaxWait()
    {
        await using var consumer = await _broker.ConnectAsync();
        await using var producer = await _broker.ConnectAsync();
        await ProduceFetchTests.CreateTopicAsync(consumer, "rd-woken");
        var started = Stopwatch.GetTimestamp();
        var pending = FetchAsync(consumer, "rd-woken", maxWaitMs: 60_000);

        await ProduceAsync(producer, "rd-woken", acks: -1, records: 2);
        var fetched = await pending;

        Assert.Equal(((short)ErrorCode.None, 2L), (fetched.ErrorCode, fetched.HighWatermark));
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(30));
    }

    private static async Task CreateTopicAsync(RawKafkaClient client, string topic, params (string Name, string Value)[] configs)
    {
        var topicRequest = new CreateTopicsRequest.CreatableTopic { Name = topic, NumPartitions = 1, ReplicationFactor = 1 };
        foreach (var (name, value) in configs)
        {
            topicRequest.Configs.Add(new CreateTopicsRequest.CreatableTopicConfig { Name = name, Value = value });
        }

        var response = await client.RoundTripAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, new CreateTopicsRequest { Topics = [topicRequest], TimeoutMs = 5000 });
        Assert.Equal((short)ErrorCode.None, response.Topics[0].ErrorCode);
    }

    private static async Task<ProduceResponse.PartitionProduceResponse> ProduceAsync(RawKafkaClient client, string topic, short acks, int records)
    {
        var response = await client.RoundTripAsync<ProduceResponse>(ApiKey.Produce, 9, ProduceFetchTests.ProduceTo(topic, 0, ProduceFetchTests.Batch(records), acks));
        return response.Responses[0].PartitionResponses[0];
    }

    private static async Task<FetchResponse.PartitionData> FetchAsync(RawKafkaClient client, string topic, int maxWaitMs)
    {
        var id = await client.SendAsync(ApiKey.Fetch, 12, new FetchRequest
        {
            MaxWaitMs = maxWaitMs,
            MinBytes = 1,
            MaxBytes = 1 << 20,
            SessionEpoch = -1,
            Topics =
            [
                new FetchRequest.FetchTopic
                {
                    Topic = topic,
                    Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 0, PartitionMaxBytes = 1 << 20 }],
                },
            ],
        });
        var response = await client.ReceiveAsync<FetchResponse>(ApiKey.Fetch, 12, id, TimeSpan.FromSeconds(90));
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        return response.Responses[0].Partitions[0];
    }
}
