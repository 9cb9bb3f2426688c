using Rill.Common;

namespace Rill.Replication;

/// <summary>ListOffsets for one partition: the offset and timestamp found (-1 when none) and the leader epoch.</summary>
public readonly record struct OffsetForTimestampResult(ErrorCode ErrorCode, long Timestamp, long Offset, int LeaderEpoch)
{
    public static OffsetForTimestampResult Failed(ErrorCode code) => new(code, -1, -1, -1);
}
