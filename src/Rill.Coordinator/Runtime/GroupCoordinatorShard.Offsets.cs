using Rill.Common;
using Rill.Coordinator.Groups;
using Rill.Coordinator.Offsets;
using Rill.Coordinator.Records;
using Rill.Protocol.Messages;

namespace Rill.Coordinator.Runtime;

internal sealed partial class GroupCoordinatorShard
{
    /// <summary>
    /// OffsetCommit for the partitions that exist (the service answered the others). The offsets are written first
    /// and become visible only once the append committed; a failed append answers every partition with the error.
    /// </summary>
    public async ValueTask<List<OffsetCommitResponse.OffsetCommitResponseTopic>> CommitOffsetsAsync(
        GroupRequestContext context, OffsetCommitRequest request, IReadOnlyList<OffsetCommitRequest.OffsetCommitRequestTopic> topics)
    {
        var groupId = request.GroupId;
        var generationId = request.GenerationIdOrMemberEpoch;
        var exists = _groups.TryGetValue(groupId, out var group);
        ErrorCode error;
        if (exists)
        {
            error = group!.ValidateOffsetCommit(request.MemberId, request.GroupInstanceId, generationId);
        }
        else if (generationId < 0)
        {
            // Without group management (generation -1) a commit creates a "simple" group.
            error = ErrorCode.None;
        }
        else
        {
            error = context.ApiVersion >= 9 ? ErrorCode.GroupIdNotFound : ErrorCode.IllegalGeneration;
        }

        if (error != ErrorCode.None)
        {
            return CommitResults(topics, _ => error);
        }

        // An offset commit from a member of a classic group keeps its session alive, as a heartbeat would.
        if (group is not null && group.State is ClassicGroupState.Stable or ClassicGroupState.PreparingRebalance
            && group.TryGetMember(request.MemberId, out var member))
        {
            RescheduleHeartbeat(group, member);
        }

        var nowMs = NowMs;
        long? expireTimestampMs = request.RetentionTimeMs == -1 ? null : nowMs + request.RetentionTimeMs;
        var records = new List<CoordinatorRecord>();
        var results = CommitResults(topics, (topic, partition) =>
        {
            if (partition.CommittedMetadata is { } metadata && metadata.Length > _config.OffsetMetadataMaxBytes)
            {
                return ErrorCode.OffsetMetadataTooLarge;
            }

            var offset = new OffsetAndMetadata(
                partition.CommittedOffset,
                partition.CommittedLeaderEpoch,
                partition.CommittedMetadata ?? string.Empty,
                partition.CommitTimestamp == -1 ? nowMs : partition.CommitTimestamp,
                expireTimestampMs);
            records.Add(new OffsetCommitRecord(groupId, topic, partition.PartitionIndex, offset));
            return ErrorCode.None;
        });

        var appendError = await AppendAsync(records);
        if (appendError != ErrorCode.None)
        {
            var mapped = OffsetWriteError(appendError);
            return CommitResults(topics, _ => mapped);
        }

        if (!exists && records.Count > 0)
        {
            GroupLog.GroupCreated(_logger, groupId, "OffsetCommit");
        }

        foreach (var record in records)
        {
            Replay(record);
        }

        GroupLog.OffsetsCommitted(_logger, groupId, records.Count, request.MemberId, generationId);
        return results;
    }

    private static List<OffsetCommitResponse.OffsetCommitResponseTopic> CommitResults(
        IReadOnlyList<OffsetCommitRequest.OffsetCommitRequestTopic> topics, Func<OffsetCommitRequest.OffsetCommitRequestPartition, ErrorCode> error) =>
        CommitResults(topics, (_, partition) => error(partition));

    private static List<OffsetCommitResponse.OffsetCommitResponseTopic> CommitResults(
        IReadOnlyList<OffsetCommitRequest.OffsetCommitRequestTopic> topics,
        Func<string, OffsetCommitRequest.OffsetCommitRequestPartition, ErrorCode> error)
    {
        var results = new List<OffsetCommitResponse.OffsetCommitResponseTopic>(topics.Count);
        foreach (var topic in topics)
        {
            var result = new OffsetCommitResponse.OffsetCommitResponseTopic { Name = topic.Name };
            foreach (var partition in topic.Partitions)
            {
                result.Partitions.Add(new OffsetCommitResponse.OffsetCommitResponsePartition
                {
                    PartitionIndex = partition.PartitionIndex,
                    ErrorCode = (short)error(topic.Name, partition),
                });
            }

            results.Add(result);
        }

        return results;
    }

    /// <summary>
    /// OffsetFetch of one group in the v8+ shape. Partitions without a commit, and every partition of an unknown
    /// group, answer offset -1, leader epoch -1 and metadata "" with no error, as Kafka does; null topics mean all.
    /// </summary>
    public OffsetFetchResponse.OffsetFetchResponseGroup FetchOffsets(string groupId, IReadOnlyList<OffsetFetchRequest.OffsetFetchRequestTopics>? topics)
    {
        var response = new OffsetFetchResponse.OffsetFetchResponseGroup { GroupId = groupId };
        var known = _groups.TryGetValue(groupId, out var group) && !group.IsInState(ClassicGroupState.Dead);
        if (topics is null)
        {
            if (known)
            {
                foreach (var (topic, partitions) in _offsets.OffsetsOf(groupId))
                {
                    var result = new OffsetFetchResponse.OffsetFetchResponseTopics { Name = topic };
                    foreach (var (partition, offset) in partitions)
                    {
                        result.Partitions.Add(FetchedPartition(partition, offset));
                    }

                    response.Topics.Add(result);
                }
            }

            return response;
        }

        foreach (var topic in topics)
        {
            var result = new OffsetFetchResponse.OffsetFetchResponseTopics { Name = topic.Name };
            foreach (var partition in topic.PartitionIndexes)
            {
                result.Partitions.Add(FetchedPartition(partition, known ? _offsets.Get(groupId, topic.Name, partition) : null));
            }

            response.Topics.Add(result);
        }

        return response;
    }

    private static OffsetFetchResponse.OffsetFetchResponsePartitions FetchedPartition(int partition, OffsetAndMetadata? offset) => new()
    {
        PartitionIndex = partition,
        CommittedOffset = offset?.CommittedOffset ?? -1,
        CommittedLeaderEpoch = offset?.LeaderEpoch ?? -1,
        Metadata = offset?.Metadata ?? string.Empty,
    };

    /// <summary>
    /// OffsetDelete for the partitions that exist. Only an Empty group, or a consumer group for topics it does not
    /// subscribe to (GROUP_SUBSCRIBED_TO_TOPIC otherwise); tombstones are written for offsets that exist.
    /// </summary>
    public async ValueTask<OffsetDeleteResponse> DeleteOffsetsAsync(string groupId, IReadOnlyList<OffsetDeleteRequest.OffsetDeleteRequestTopic> topics)
    {
        var response = new OffsetDeleteResponse();
        if (!_groups.TryGetValue(groupId, out var group))
        {
            response.ErrorCode = (short)ErrorCode.GroupIdNotFound;
            return response;
        }

        var groupError = group.ValidateOffsetDelete();
        if (groupError != ErrorCode.None)
        {
            response.ErrorCode = (short)groupError;
            return response;
        }

        var records = new List<CoordinatorRecord>();
        foreach (var topic in topics)
        {
            var subscribed = group.IsSubscribedToTopic(topic.Name);
            var result = new OffsetDeleteResponse.OffsetDeleteResponseTopic { Name = topic.Name };
            foreach (var partition in topic.Partitions)
            {
                result.Partitions.Add(new OffsetDeleteResponse.OffsetDeleteResponsePartition
                {
                    PartitionIndex = partition.PartitionIndex,
                    ErrorCode = (short)(subscribed ? ErrorCode.GroupSubscribedToTopic : ErrorCode.None),
                });
                if (!subscribed && _offsets.Get(groupId, topic.Name, partition.PartitionIndex) is not null)
                {
                    records.Add(new OffsetCommitRecord(groupId, topic.Name, partition.PartitionIndex, Offset: null));
                }
            }

            response.Topics.Add(result);
        }

        var error = await AppendAsync(records);
        if (error != ErrorCode.None)
        {
            return new OffsetDeleteResponse { ErrorCode = (short)GroupWriteError(error) };
        }

        foreach (var record in records)
        {
            Replay(record);
        }

        return response;
    }
}
