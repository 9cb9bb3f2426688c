using Rill.Common;

namespace Rill.Replication;

/// <summary>One partition of a Fetch: where to read, the fetcher's leader epoch (-1 = none) and its byte limit.</summary>
public readonly record struct FetchPartitionRequest(TopicPartition TopicPartition, long FetchOffset, int CurrentLeaderEpoch, int PartitionMaxBytes);
