using Rill.Common;

namespace Rill.Replication;

/// <summary>One partition of a Fetch: where to read, the fetcher's leader epoch (-1 = none) and its byte limit.</summary>
public readonly record struct FetchPartitionRequest(TopicPartition TopicPartition, long FetchOffset, int CurrentLeaderEpoch, int PartitionMaxBytes)
{
    /// <summary>Fetch v12+: the epoch of the last batch the follower has, checked for divergence; -1 = none.</summary>
    public int LastFetchedEpoch { get; init; } = -1;

    /// <summary>Fetch v5+: a follower's log start offset; -1 = not given.</summary>
    public long LogStartOffset { get; init; } = -1;
}
