using Rill.Common;
using Rill.Coordinator.Groups;
using Rill.Coordinator.Offsets;
using Rill.Coordinator.Records;

namespace Rill.Coordinator.Runtime;

internal sealed partial class GroupCoordinatorShard
{
    private void ScheduleCleanup() =>
        _timer.Schedule(TimerKey.Cleanup, _config.OffsetsRetentionCheckIntervalMs, CleanupGroupMetadataAsync);

    /// <summary>
    /// The periodic offsets.retention check (KIP-211): expired offsets get tombstones, and an Empty group left without
    /// offsets is deleted. Each group's tombstones are one batch, so a failed write spares the other groups.
    /// </summary>
    private async ValueTask CleanupGroupMetadataAsync()
    {
        try
        {
            await RemoveExpiredAsync();
        }
        finally
        {
            ScheduleCleanup();
        }
    }

    private async ValueTask RemoveExpiredAsync()
    {
        var nowMs = NowMs;
        var expiredOffsets = 0;
        var deletedGroups = 0;
        foreach (var group in _groups.Values.ToList())
        {
            var records = new List<CoordinatorRecord>();
            var allExpired = CollectExpiredOffsets(group, nowMs, records);
            var deleteGroup = allExpired && group.IsInState(ClassicGroupState.Empty);
            if (deleteGroup)
            {
                records.Add(new GroupMetadataRecord(group.GroupId, Value: null));
            }

            if (records.Count == 0)
            {
                continue;
            }

            var error = await AppendAsync(records);
            if (error != ErrorCode.None)
            {
                GroupLog.GroupWriteFailed(_logger, group.GroupId, error, "expired offsets are kept until the next check");
                continue;
            }

            foreach (var record in records)
            {
                Replay(record);
            }

            var offsetCount = deleteGroup ? records.Count - 1 : records.Count;
            expiredOffsets += offsetCount;
            if (deleteGroup)
            {
                deletedGroups++;
                GroupLog.GroupDeleted(_logger, group.GroupId, offsetCount, "its offsets expired");
            }
        }

        if (expiredOffsets > 0 || deletedGroups > 0)
        {
            GroupLog.OffsetsExpired(_logger, Partition, expiredOffsets, deletedGroups);
        }
        else
        {
            GroupLog.NothingExpired(_logger, Partition);
        }
    }

    /// <summary>
    /// Adds tombstones for the group's expired offsets; true when the group has no offset left afterwards. Kafka's
    /// rules: an Empty group with a protocol counts retention from when it became Empty; a Stable consumer group
    /// expires only topics it no longer subscribes to, from their commit; a simple group from each commit; an offset
    /// committed with an explicit retention (OffsetCommit v2-v4) expires at its own expire timestamp.
    /// </summary>
    private bool CollectExpiredOffsets(ClassicGroup group, long nowMs, List<CoordinatorRecord> records)
    {
        var offsets = _offsets.OffsetsOf(group.GroupId);
        if (offsets.Count == 0)
        {
            return true;
        }

        Func<OffsetAndMetadata, long> retentionStart;
        if (group.ProtocolType is null)
        {
            retentionStart = static offset => offset.CommitTimestampMs;
        }
        else if (group.IsInState(ClassicGroupState.Empty))
        {
            var emptySince = group.CurrentStateTimestampMs;
            retentionStart = offset => emptySince ?? offset.CommitTimestampMs;
        }
        else if (group.UsesConsumerProtocol && group.SubscribedTopics is not null && group.IsInState(ClassicGroupState.Stable))
        {
            retentionStart = static offset => offset.CommitTimestampMs;
        }
        else
        {
            return false;
        }

        var allExpired = true;
        foreach (var (topic, partitions) in offsets)
        {
            if (group.IsSubscribedToTopic(topic))
            {
                allExpired = false;
                continue;
            }

            foreach (var (partition, offset) in partitions)
            {
                var expired = offset.ExpireTimestampMs is { } expireAt
                    ? nowMs >= expireAt
                    : nowMs - retentionStart(offset) >= _config.OffsetsRetentionMs;
                if (expired)
                {
                    records.Add(new OffsetCommitRecord(group.GroupId, topic, partition, Offset: null));
                }
                else
                {
                    allExpired = false;
                }
            }
        }

        return allExpired;
    }
}
