using Rill.Common;
using Rill.Protocol.Messages;

namespace Rill.Benchmarks.Support;

/// <summary>The requests the benchmarks send, shaped as real clients send them.</summary>
public static class Requests
{
    public const string Topic = "bench-events";

    /// <summary>acks=all Produce of one topic, each partition carrying its own copy of <paramref name="batch"/>.</summary>
    public static ProduceRequest Produce(int partitions, byte[] batch)
    {
        var topic = new ProduceRequest.TopicProduceData { Name = Topic };
        for (var p = 0; p < partitions; p++)
        {
            topic.PartitionData.Add(new ProduceRequest.PartitionProduceData { Index = p, Records = batch.ToArray() });
        }

        var request = new ProduceRequest { Acks = -1, TimeoutMs = 30_000, TransactionalId = null };
        request.TopicData.Add(topic);
        return request;
    }

    /// <summary>A consumer's Fetch of one topic: read_uncommitted, min 1 byte, 64 KiB per partition.</summary>
    public static FetchRequest Fetch(int partitions, long fetchOffset, int partitionMaxBytes)
    {
        var topic = new FetchRequest.FetchTopic { Topic = Topic, TopicId = Uuid.Zero };
        for (var p = 0; p < partitions; p++)
        {
            topic.Partitions.Add(new FetchRequest.FetchPartition
            {
                Partition = p,
                CurrentLeaderEpoch = -1,
                FetchOffset = fetchOffset,
                LastFetchedEpoch = -1,
                LogStartOffset = -1,
                PartitionMaxBytes = partitionMaxBytes,
            });
        }

        var request = new FetchRequest
        {
            ReplicaId = -1,
            MaxWaitMs = 500,
            MinBytes = 1,
            MaxBytes = 52_428_800,
            IsolationLevel = 0,
            SessionId = 0,
            SessionEpoch = -1,
            RackId = "",
        };
        request.Topics.Add(topic);
        return request;
    }
}
