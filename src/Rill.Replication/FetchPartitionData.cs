using Rill.Common;

namespace Rill.Replication;

/// <summary>
/// One partition's part of a Fetch answer. <see cref="Records"/> holds whole batches and is valid until the
/// <see cref="FetchResult"/> it came in is disposed; on error it is empty and the offsets are -1. A follower whose log
/// diverged gets <see cref="DivergingEpoch"/> and no records.
/// </summary>
public readonly record struct FetchPartitionData(
    ErrorCode ErrorCode,
    long HighWatermark,
    long LastStableOffset,
    long LogStartOffset,
    ReadOnlyMemory<byte> Records,
    int RecordCount)
{
    public DivergingEpoch? DivergingEpoch { get; init; }

    public static FetchPartitionData Failed(ErrorCode code) => new(code, -1, -1, -1, ReadOnlyMemory<byte>.Empty, 0);
}
