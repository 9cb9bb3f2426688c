using Rill.Common;
using Rill.Storage;

namespace Rill.Replication;

/// <summary>
/// One partition's read for a Fetch (kafka: <c>LogReadInfo</c>): the records, or the diverging epoch instead, with the
/// offsets as they were before the read. <see cref="Read"/> is null on error or divergence; the caller disposes it.
/// </summary>
internal sealed record PartitionRead(
    ErrorCode ErrorCode,
    LogReadResult? Read,
    DivergingEpoch? DivergingEpoch,
    long HighWatermark,
    long LogStartOffset,
    long LogEndOffset)
{
    /// <summary>A follower's fetch moved the high watermark: produces waiting for it can complete.</summary>
    public bool HighWatermarkIncreased { get; init; }

    public static PartitionRead Failed(ErrorCode code) => new(code, null, null, -1, -1, -1);
}
