using System.Text;
using Rill.Common;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;
using Rill.TestKit;

namespace Rill.Server.Tests;

/// <summary>
/// A record without a key on a compacted topic: the whole batch is refused with INVALID_RECORD, every keyless record
/// listed in record_errors and error_message in Kafka's words (KIP-467, Produce v8+), and nothing stored.
/// </summary>
public sealed class CompactedTopicProduceTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public CompactedTopicProduceTests(BrokerFixture broker)
    {
        _broker = broker;
    }

    [Theory]
    [InlineData(CompressionCodec.None)]
    [InlineData(CompressionCodec.Lz4)]
    public async Task Produce_RecordsWithoutKeys_InvalidRecordWithEveryKeylessRecordAndNothingStored(CompressionCodec codec)
    {
        var topic = $"cp-keyless-{codec}".ToLowerInvariant();
        await using var client = await _broker.ConnectAsync();
        await CreateCompactedTopicAsync(client, topic);

        var response = await client.RoundTripAsync<ProduceResponse>(ApiKey.Produce, 9, ProduceFetchTests.ProduceTo(topic, 0, Batch(codec, "a", null, "c", null, null)));

        var partition = response.Responses[0].PartitionResponses[0];
        var recordError = $"Compacted topic cannot accept message without key in topic partition {topic}-0";
        Assert.Equal(((short)ErrorCode.InvalidRecord, -1L), (partition.ErrorCode, partition.BaseOffset));
        Assert.Equal([(1, recordError), (3, recordError), (4, recordError)], partition.RecordErrors.Select(e => (e.BatchIndex, e.BatchIndexErrorMessage)));
        Assert.Equal(
            "One or more records have been rejected due to 3 record errors in total, and only showing the first three errors at most: "
            + $"[RecordError(batchIndex=1, message='{recordError}'), RecordError(batchIndex=3, message='{recordError}'), RecordError(batchIndex=4, message='{recordError}')]",
            partition.ErrorMessage);
        Assert.Equal(0, await HighWatermarkAsync(client, topic));
    }

    [Fact]
    public async Task Produce_MoreThanThreeKeylessRecords_MessageShowsTheFirstThree()
    {
        await using var client = await _broker.ConnectAsync();
        await CreateCompactedTopicAsync(client, "cp-many");

        var response = await client.RoundTripAsync<ProduceResponse>(ApiKey.Produce, 8, ProduceFetchTests.ProduceTo("cp-many", 0, Batch(CompressionCodec.None, null, null, null, null)));

        var partition = response.Responses[0].PartitionResponses[0];
        const string RecordError = "Compacted topic cannot accept message without key in topic partition cp-many-0";
        Assert.Equal([0, 1, 2, 3], partition.RecordErrors.Select(e => e.BatchIndex));
        Assert.Equal(
            "One or more records have been rejected due to 4 record errors in total, and only showing the first three errors at most: "
            + $"[RecordError(batchIndex=0, message='{RecordError}'), RecordError(batchIndex=1, message='{RecordError}'), RecordError(batchIndex=2, message='{RecordError}')]",
            partition.ErrorMessage);
    }

    [Fact]
    public async Task Produce_EveryRecordKeyed_IsStored()
    {
        await using var client = await _broker.ConnectAsync();
        await CreateCompactedTopicAsync(client, "cp-keyed");

        var response = await client.RoundTripAsync<ProduceResponse>(ApiKey.Produce, 9, ProduceFetchTests.ProduceTo("cp-keyed", 0, Batch(CompressionCodec.None, "a", "b")));

        var partition = response.Responses[0].PartitionResponses[0];
        Assert.Equal(((short)ErrorCode.None, 0L), (partition.ErrorCode, partition.BaseOffset));
        Assert.Empty(partition.RecordErrors);
        Assert.Equal(2, await HighWatermarkAsync(client, "cp-keyed"));
    }

    [Fact]
    public async Task ProduceV7_RecordWithoutKey_InvalidRecordWithoutTheV8Fields()
    {
        await using var client = await _broker.ConnectAsync();
        await CreateCompactedTopicAsync(client, "cp-v7");

        var response = await client.RoundTripAsync<ProduceResponse>(ApiKey.Produce, 7, ProduceFetchTests.ProduceTo("cp-v7", 0, Batch(CompressionCodec.None, [null])));

        var partition = response.Responses[0].PartitionResponses[0];
        Assert.Equal((short)ErrorCode.InvalidRecord, partition.ErrorCode);
        Assert.Empty(partition.RecordErrors);
        Assert.Null(partition.ErrorMessage);
        Assert.Equal(0, await HighWatermarkAsync(client, "cp-v7"));
    }

    private static byte[] Batch(CompressionCodec codec, params string?[] keys)
    {
        var builder = new RecordBatchBuilder(codec);
        for (var i = 0; i < keys.Length; i++)
        {
            builder.Append(1_700_000_000_000 + i, keys[i] is { } key ? Encoding.UTF8.GetBytes(key) : null, Encoding.UTF8.GetBytes($"v{i}"));
        }

        return builder.Build();
    }

    private static async Task CreateCompactedTopicAsync(RawKafkaClient client, string topic)
    {
        var response = await client.RoundTripAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, new CreateTopicsRequest
        {
            Topics =
            [
                new CreateTopicsRequest.CreatableTopic
                {
                    Name = topic,
                    NumPartitions = 1,
                    ReplicationFactor = 1,
                    Configs = [new CreateTopicsRequest.CreatableTopicConfig { Name = "cleanup.policy", Value = "compact" }],
                },
            ],
            TimeoutMs = 5000,
        });
        Assert.Equal((short)ErrorCode.None, response.Topics[0].ErrorCode);
    }

    private static async Task<long> HighWatermarkAsync(RawKafkaClient client, string topic)
    {
        var response = await client.RoundTripAsync<ListOffsetsResponse>(ApiKey.ListOffsets, 7, new ListOffsetsRequest
        {
            ReplicaId = -1,
            Topics =
            [
                new ListOffsetsRequest.ListOffsetsTopic
                {
                    Name = topic,
                    Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = -1 }],
                },
            ],
        });
        return response.Topics[0].Partitions[0].Offset;
    }
}
