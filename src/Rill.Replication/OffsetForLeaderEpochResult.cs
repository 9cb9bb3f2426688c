using Rill.Common;

namespace Rill.Replication;

/// <summary>OffsetForLeaderEpoch for one partition: the largest epoch at or below the one asked for and its end offset; -1 and -1 when unknown or on error.</summary>
public readonly record struct OffsetForLeaderEpochResult(ErrorCode ErrorCode, int LeaderEpoch, long EndOffset)
{
    public static OffsetForLeaderEpochResult Failed(ErrorCode code) => new(code, -1, -1);
}
