using Rill.Common;
using Rill.Protocol.Messages;
using Rill.TestKit;

namespace Rill.Server.Tests;

/// <summary>OffsetForLeaderEpoch at the byte level on one node: where the epoch ends, the current-epoch checks, unknown partitions, old versions.</summary>
public sealed class OffsetForLeaderEpochTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public OffsetForLeaderEpochTests(BrokerFixture broker)
    {
        _broker = broker;
    }

    [Fact]
    public async Task OffsetForLeaderEpoch_TheLeadersEpoch_EndsAtTheLogEnd_AndLaterEpochsAreUnknown()
    {
        await using var client = await _broker.ConnectAsync();
        await ProduceFetchTests.CreateTopicAsync(client, "ofle-end");
        var produced = await client.RoundTripAsync<ProduceResponse>(ApiKey.Produce, 9, ProduceFetchTests.ProduceTo("ofle-end", 0, ProduceFetchTests.Batch(4)));
        Assert.Equal((short)ErrorCode.None, produced.Responses[0].PartitionResponses[0].ErrorCode);
        var epoch = await LeaderEpochAsync(client, "ofle-end");

        Assert.Equal((ErrorCode.None, epoch, 4L), await AskAsync(client, 2, "ofle-end", 0, epoch, epoch));
        Assert.Equal((ErrorCode.None, epoch, 4L), await AskAsync(client, 4, "ofle-end", 0, -1, epoch));
        Assert.Equal((ErrorCode.None, -1, -1L), await AskAsync(client, 2, "ofle-end", 0, epoch, epoch + 1));
        Assert.Equal((ErrorCode.UnknownLeaderEpoch, -1, -1L), await AskAsync(client, 2, "ofle-end", 0, epoch + 1, epoch));
        Assert.Equal((ErrorCode.UnknownTopicOrPartition, -1, -1L), await AskAsync(client, 3, "ofle-end", 7, -1, epoch));
        Assert.Equal((ErrorCode.UnknownTopicOrPartition, -1, -1L), await AskAsync(client, 3, "ofle-missing", 0, -1, 0));

        // v0 has no leader epoch in the answer and no current leader epoch in the request.
        Assert.Equal((ErrorCode.None, -1, 4L), await AskAsync(client, 0, "ofle-end", 0, epoch + 1, epoch));
    }

    [Fact]
    public async Task OffsetForLeaderEpoch_NothingWrittenYet_TheLeadersEpochEndsWhereItStarted()
    {
        await using var client = await _broker.ConnectAsync();
        await ProduceFetchTests.CreateTopicAsync(client, "ofle-empty");
        var epoch = await LeaderEpochAsync(client, "ofle-empty");

        // Nothing written yet: the leader recorded its epoch's start when it became leader.
        Assert.Equal((ErrorCode.None, epoch, 0L), await AskAsync(client, 4, "ofle-empty", 0, epoch, epoch));
    }

    private static async Task<int> LeaderEpochAsync(RawKafkaClient client, string topic)
    {
        var metadata = await client.RoundTripAsync<MetadataResponse>(ApiKey.Metadata, 12, new MetadataRequest
        {
            Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }],
        });
        return Assert.Single(Assert.Single(metadata.Topics).Partitions).LeaderEpoch;
    }

    private static async Task<(ErrorCode, int, long)> AskAsync(RawKafkaClient client, short version, string topic, int partition, int currentLeaderEpoch, int leaderEpoch)
    {
        var request = new OffsetForLeaderEpochRequest { ReplicaId = -1 };
        request.Topics.Add(new OffsetForLeaderEpochRequest.OffsetForLeaderTopic
        {
            Topic = topic,
            Partitions = [new OffsetForLeaderEpochRequest.OffsetForLeaderPartition { Partition = partition, CurrentLeaderEpoch = currentLeaderEpoch, LeaderEpoch = leaderEpoch }],
        });
        var response = await client.RoundTripAsync<OffsetForLeaderEpochResponse>(ApiKey.OffsetForLeaderEpoch, version, request);
        var topicResult = Assert.Single(response.Topics);
        Assert.Equal(topic, topicResult.Topic);
        var answer = Assert.Single(topicResult.Partitions);
        Assert.Equal(partition, answer.Partition);
        return ((ErrorCode)answer.ErrorCode, answer.LeaderEpoch, answer.EndOffset);
    }
}
