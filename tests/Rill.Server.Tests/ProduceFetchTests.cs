using System.Text;
using Rill.Common;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;
using Rill.TestKit;

namespace Rill.Server.Tests;

/// <summary>Produce, Fetch and ListOffsets at the byte level: exact offsets, error codes and record bytes.</summary>
public sealed class ProduceFetchTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public ProduceFetchTests(BrokerFixture broker)
    {
        _broker = broker;
    }

    public static byte[] Batch(int records, long timestamp = 1_700_000_000_000, CompressionCodec codec = CompressionCodec.None)
    {
        var builder = new RecordBatchBuilder(codec);
        for (var i = 0; i < records; i++)
        {
            builder.Append(timestamp + i, Encoding.UTF8.GetBytes($"k{i}"), Encoding.UTF8.GetBytes($"v{i}"));
        }

        return builder.Build();
    }

    public static ProduceRequest ProduceTo(string topic, int partition, byte[] records, short acks = 1) => new()
    {
        Acks = acks,
        TimeoutMs = 5000,
        TopicData =
        [
            new ProduceRequest.TopicProduceData
            {
                Name = topic,
                PartitionData = [new ProduceRequest.PartitionProduceData { Index = partition, Records = records }],
            },
        ],
    };

    [Fact]
    public async Task Produce_AssignsConsecutiveOffsets_AndFetchReturnsTheSameRecords()
    {
        await using var client = await _broker.ConnectAsync();
        await CreateTopicAsync(client, "pf-offsets");
        var first = await ProduceAsync(client, "pf-offsets", Batch(3));
        var second = await ProduceAsync(client, "pf-offsets", Batch(2));
        Assert.Equal((short)ErrorCode.None, first.ErrorCode);
        Assert.Equal(0, first.BaseOffset);
        Assert.Equal(3, second.BaseOffset);

        var fetched = await FetchAsync(client, "pf-offsets", offset: 0, maxWaitMs: 0);
        Assert.Equal((short)ErrorCode.None, fetched.ErrorCode);
        Assert.Equal(5, fetched.HighWatermark);
        var offsets = new List<long>();
        var values = new List<string>();
        foreach (var record in ReadRecords(fetched.Records!.Value))
        {
            offsets.Add(record.Offset);
            values.Add(record.Value);
        }

        Assert.Equal([0, 1, 2, 3, 4], offsets);
        Assert.Equal(["v0", "v1", "v2", "v0", "v1"], values);
    }

    [Fact]
    public async Task ProduceWithACorruptCrc_IsRefusedWithCorruptMessage_AndNothingIsStored()
    {
        await using var client = await _broker.ConnectAsync();
        await CreateTopicAsync(client, "pf-corrupt");
        var batch = Batch(3);
        batch[^1] ^= 0x55;
        var result = await ProduceAsync(client, "pf-corrupt", batch);
        Assert.Equal((short)ErrorCode.CorruptMessage, result.ErrorCode);
        Assert.Equal(-1, result.BaseOffset);

        var fetched = await FetchAsync(client, "pf-corrupt", offset: 0, maxWaitMs: 0);
        Assert.Equal(0, fetched.HighWatermark);
        Assert.Equal(0, fetched.Records!.Value.Length);
    }

    [Fact]
    public async Task ProduceWithATruncatedBatch_IsRefusedWithCorruptMessage()
    {
        await using var client = await _broker.ConnectAsync();
        await CreateTopicAsync(client, "pf-truncated");
        var batch = Batch(3);
        var result = await ProduceAsync(client, "pf-truncated", batch[..^5]);
        Assert.Equal((short)ErrorCode.CorruptMessage, result.ErrorCode);
    }

    [Fact]
    public async Task ProduceWithTwoBatchesForOnePartition_IsRefusedWithInvalidRecord()
    {
        await using var client = await _broker.ConnectAsync();
        await CreateTopicAsync(client, "pf-two-batches");
        var result = await ProduceAsync(client, "pf-two-batches", [.. Batch(1), .. Batch(1)]);
        Assert.Equal((short)ErrorCode.InvalidRecord, result.ErrorCode);
    }

    [Fact]
    public async Task ProduceWithAMagicV1Batch_IsRefusedWithInvalidRecord_AndNothingIsStored()
    {
        await using var client = await _broker.ConnectAsync();
        await CreateTopicAsync(client, "pf-magic1");
        var batch = Batch(2);
        batch[RecordBatch.MagicOffset] = 1;
        var result = await ProduceAsync(client, "pf-magic1", batch);
        Assert.Equal((short)ErrorCode.InvalidRecord, result.ErrorCode);
        Assert.Equal(0, (await FetchAsync(client, "pf-magic1", offset: 0, maxWaitMs: 0)).HighWatermark);
    }

    [Fact]
    public async Task ZstdBeforeProduceV7_GetsUnsupportedCompressionType_AndFromV7IsStored()
    {
        await using var client = await _broker.ConnectAsync();
        await CreateTopicAsync(client, "pf-zstd");
        var batch = Batch(3, codec: CompressionCodec.Zstd);
        var old = await client.RoundTripAsync<ProduceResponse>(ApiKey.Produce, 6, ProduceTo("pf-zstd", 0, batch));
        Assert.Equal((short)ErrorCode.UnsupportedCompressionType, old.Responses[0].PartitionResponses[0].ErrorCode);
        var current = await client.RoundTripAsync<ProduceResponse>(ApiKey.Produce, 7, ProduceTo("pf-zstd", 0, Batch(3, codec: CompressionCodec.Zstd)));
        Assert.Equal((short)ErrorCode.None, current.Responses[0].PartitionResponses[0].ErrorCode);
        Assert.Equal(0, current.Responses[0].PartitionResponses[0].BaseOffset);
    }

    [Fact]
    public async Task ProduceToAnUnknownTopic_GetsUnknownTopicOrPartition()
    {
        await using var client = await _broker.ConnectAsync();
        var result = await ProduceAsync(client, "pf-no-such-topic", Batch(1));
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, result.ErrorCode);
    }

    [Fact]
    public async Task ProduceWithIllegalAcks_GetsInvalidRequiredAcks()
    {
        await using var client = await _broker.ConnectAsync();
        await CreateTopicAsync(client, "pf-acks");
        var id = await client.SendAsync(ApiKey.Produce, 9, ProduceTo("pf-acks", 0, Batch(1), acks: 2));
        var response = await client.ReceiveAsync<ProduceResponse>(ApiKey.Produce, 9, id);
        Assert.Equal((short)ErrorCode.InvalidRequiredAcks, response.Responses[0].PartitionResponses[0].ErrorCode);
    }

    [Fact]
    public async Task AcksZero_GetsNoAnswer_AndAFailureClosesTheConnection()
    {
        await using var client = await _broker.ConnectAsync();
        await CreateTopicAsync(client, "pf-acks0");
        await client.SendAsync(ApiKey.Produce, 9, ProduceTo("pf-acks0", 0, Batch(2), acks: 0));
        var next = await client.RoundTripAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 0, new ApiVersionsRequest());
        Assert.Equal((short)ErrorCode.None, next.ErrorCode);
        var fetched = await FetchAsync(client, "pf-acks0", offset: 0, maxWaitMs: 0);
        Assert.Equal(2, fetched.HighWatermark);

        await client.SendAsync(ApiKey.Produce, 9, ProduceTo("pf-acks0-unknown", 0, Batch(2), acks: 0));
        Assert.True(await client.IsClosedByBrokerAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task PipelinedRequests_AreAnsweredInOrder()
    {
        await using var client = await _broker.ConnectAsync();
        await CreateTopicAsync(client, "pf-pipeline");
        var ids = new List<int>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(await client.SendAsync(ApiKey.Produce, 9, ProduceTo("pf-pipeline", 0, Batch(1))));
        }

        for (var i = 0; i < ids.Count; i++)
        {
            var response = await client.ReceiveAsync<ProduceResponse>(ApiKey.Produce, 9, ids[i]);
            Assert.Equal(i, response.Responses[0].PartitionResponses[0].BaseOffset);
        }
    }

    [Fact]
    public async Task LongPollingFetch_IsWokenByAnAppendOnAnotherConnection()
    {
        await using var consumer = await _broker.ConnectAsync();
        await using var producer = await _broker.ConnectAsync();
        await CreateTopicAsync(consumer, "pf-longpoll");
        var fetchId = await consumer.SendAsync(ApiKey.Fetch, 12, FetchRequestFor("pf-longpoll", 0, maxWaitMs: 30_000));
        var pending = consumer.ReceiveAsync<FetchResponse>(ApiKey.Fetch, 12, fetchId, TimeSpan.FromSeconds(60));
        Assert.False(pending.IsCompleted);

        var produced = await ProduceAsync(producer, "pf-longpoll", Batch(1));
        Assert.Equal(0, produced.BaseOffset);
        var response = await pending;
        var partition = response.Responses[0].Partitions[0];
        Assert.Equal(1, partition.HighWatermark);
        Assert.Equal(["v0"], ReadRecords(partition.Records!.Value).Select(r => r.Value));
    }

    [Fact]
    public async Task FetchBeyondTheLogEnd_GetsOffsetOutOfRange()
    {
        await using var client = await _broker.ConnectAsync();
        await CreateTopicAsync(client, "pf-range");
        await ProduceAsync(client, "pf-range", Batch(2));
        var fetched = await FetchAsync(client, "pf-range", offset: 3, maxWaitMs: 0);
        Assert.Equal((short)ErrorCode.OffsetOutOfRange, fetched.ErrorCode);
        Assert.Equal(0, fetched.Records!.Value.Length);
    }

    [Fact]
    public async Task FetchWithATopicId_FindsTheTopic_AndAnUnknownIdGetsUnknownTopicId()
    {
        await using var client = await _broker.ConnectAsync();
        var topicId = await CreateTopicAsync(client, "pf-ids");
        await ProduceAsync(client, "pf-ids", Batch(1));
        var request = FetchRequestFor("pf-ids", 0, maxWaitMs: 0);
        request.Topics[0].TopicId = topicId;
        request.Topics.Add(new FetchRequest.FetchTopic
        {
            TopicId = Uuid.NewRandom(),
            Partitions = [new FetchRequest.FetchPartition { Partition = 0, PartitionMaxBytes = 1024 }],
        });
        var response = await client.RoundTripAsync<FetchResponse>(ApiKey.Fetch, 13, request);
        Assert.Equal((short)ErrorCode.None, response.Responses[0].Partitions[0].ErrorCode);
        Assert.Single(ReadRecords(response.Responses[0].Partitions[0].Records!.Value));
        Assert.Equal((short)ErrorCode.UnknownTopicId, response.Responses[1].Partitions[0].ErrorCode);
    }

    [Fact]
    public async Task IncrementalFetchSessionEpoch_GetsFetchSessionIdNotFound_BecauseNoSessionsAreKept()
    {
        await using var client = await _broker.ConnectAsync();
        await CreateTopicAsync(client, "pf-session");
        var request = FetchRequestFor("pf-session", 0, maxWaitMs: 0);
        var first = await client.RoundTripAsync<FetchResponse>(ApiKey.Fetch, 12, request);
        Assert.Equal(0, first.SessionId);
        request.SessionId = 1234;
        request.SessionEpoch = 1;
        var incremental = await client.RoundTripAsync<FetchResponse>(ApiKey.Fetch, 12, request);
        Assert.Equal((short)ErrorCode.FetchSessionIdNotFound, incremental.ErrorCode);
    }

    [Fact]
    public async Task ListOffsets_EarliestLatestAndByTimestamp()
    {
        await using var client = await _broker.ConnectAsync();
        await CreateTopicAsync(client, "pf-list");
        await ProduceAsync(client, "pf-list", Batch(5, timestamp: 10_000));
        await ProduceAsync(client, "pf-list", Batch(5, timestamp: 20_000));
        Assert.Equal((0L, -1L), await ListOffsetAsync(client, "pf-list", -2));
        Assert.Equal((10L, -1L), await ListOffsetAsync(client, "pf-list", -1));
        Assert.Equal((7L, 20_002L), await ListOffsetAsync(client, "pf-list", 20_002));
        Assert.Equal((5L, 20_000L), await ListOffsetAsync(client, "pf-list", 10_005));
        Assert.Equal((9L, 20_004L), await ListOffsetAsync(client, "pf-list", -3));
        Assert.Equal((-1L, -1L), await ListOffsetAsync(client, "pf-list", 99_999));
    }

    internal static async Task<Uuid> CreateTopicAsync(RawKafkaClient client, string topic, int partitions = 1)
    {
        var response = await client.RoundTripAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }],
            TimeoutMs = 5000,
        });
        Assert.Equal((short)ErrorCode.None, response.Topics[0].ErrorCode);
        return response.Topics[0].TopicId;
    }

    private static async Task<ProduceResponse.PartitionProduceResponse> ProduceAsync(RawKafkaClient client, string topic, byte[] batch)
    {
        var response = await client.RoundTripAsync<ProduceResponse>(ApiKey.Produce, 9, ProduceTo(topic, 0, batch));
        return response.Responses[0].PartitionResponses[0];
    }

    private static FetchRequest FetchRequestFor(string topic, long offset, int maxWaitMs) => new()
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
                Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = offset, PartitionMaxBytes = 1 << 20 }],
            },
        ],
    };

    private static async Task<FetchResponse.PartitionData> FetchAsync(RawKafkaClient client, string topic, long offset, int maxWaitMs)
    {
        var response = await client.RoundTripAsync<FetchResponse>(ApiKey.Fetch, 12, FetchRequestFor(topic, offset, maxWaitMs));
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        return response.Responses[0].Partitions[0];
    }

    private static async Task<(long Offset, long Timestamp)> ListOffsetAsync(RawKafkaClient client, string topic, long timestamp)
    {
        var response = await client.RoundTripAsync<ListOffsetsResponse>(ApiKey.ListOffsets, 7, new ListOffsetsRequest
        {
            ReplicaId = -1,
            Topics =
            [
                new ListOffsetsRequest.ListOffsetsTopic
                {
                    Name = topic,
                    Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = timestamp }],
                },
            ],
        });
        var partition = response.Topics[0].Partitions[0];
        Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
        return (partition.Offset, partition.Timestamp);
    }

    private static List<(long Offset, string Value)> ReadRecords(ReadOnlyMemory<byte> batches)
    {
        var records = new List<(long, string)>();
        var remaining = batches.Span;
        while (remaining.Length > 0)
        {
            var size = RecordBatch.GetSizeInBytes(remaining);
            using var reader = new RecordReader(remaining[..size], maxUncompressedBytes: 1 << 24);
            while (reader.TryReadNext(out var record))
            {
                records.Add((record.Offset, Encoding.UTF8.GetString(record.Value)));
            }

            Assert.Equal(ErrorCode.None, reader.ErrorCode);
            remaining = remaining[size..];
        }

        return records;
    }
}
