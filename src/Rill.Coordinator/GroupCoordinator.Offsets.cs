using Rill.Common;
using Rill.Metadata;
using Rill.Protocol.Messages;

namespace Rill.Coordinator;

public sealed partial class GroupCoordinator
{
    /// <summary>
    /// OffsetCommit at any version 0-9. Partitions of topics or partitions missing from the metadata answer
    /// UNKNOWN_TOPIC_OR_PARTITION (Kafka checks before the coordinator); the rest are validated against the group
    /// (generation, member, rebalance) and answered once the offsets are written to the log.
    /// </summary>
    public async ValueTask<OffsetCommitResponse> OffsetCommitAsync(GroupRequestContext context, OffsetCommitRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<(string Topic, int Partition), ErrorCode>();
        if (!IsActive)
        {
            return CommitResponse(request, errors, ErrorCode.CoordinatorNotAvailable);
        }

        var image = _metadata();
        var valid = new List<OffsetCommitRequest.OffsetCommitRequestTopic>(request.Topics.Count);
        foreach (var topic in request.Topics)
        {
            var known = new OffsetCommitRequest.OffsetCommitRequestTopic { Name = topic.Name };
            foreach (var partition in topic.Partitions)
            {
                if (PartitionExists(image, topic.Name, partition.PartitionIndex))
                {
                    known.Partitions.Add(partition);
                }
                else
                {
                    errors[(topic.Name, partition.PartitionIndex)] = ErrorCode.UnknownTopicOrPartition;
                }
            }

            if (known.Partitions.Count > 0)
            {
                valid.Add(known);
            }
        }

        if (valid.Count == 0)
        {
            return CommitResponse(request, errors, ErrorCode.None);
        }

        var results = await OnShardAsync("OffsetCommit", request.GroupId, shard => shard.CommitOffsetsAsync(context, request, valid),
            error => AllFailed(valid, error));
        foreach (var topic in results)
        {
            foreach (var partition in topic.Partitions)
            {
                errors[(topic.Name, partition.PartitionIndex)] = (ErrorCode)partition.ErrorCode;
            }
        }

        return CommitResponse(request, errors, ErrorCode.None);
    }

    /// <summary>
    /// OffsetFetch at any version 0-9: one group (v0-7) or many (v8+); null topics (v2+) mean every committed offset
    /// of the group. Uncommitted partitions and unknown groups answer offset -1, metadata "", leader epoch -1.
    /// RequireStable (v7+) needs no wait: there are no pending transactional offsets yet.
    /// </summary>
    public async ValueTask<OffsetFetchResponse> OffsetFetchAsync(GroupRequestContext context, OffsetFetchRequest request, CancellationToken ct)
    {
        if (context.ApiVersion >= 8)
        {
            var fetches = new List<Task<OffsetFetchResponse.OffsetFetchResponseGroup>>(request.Groups.Count);
            foreach (var group in request.Groups)
            {
                fetches.Add(FetchGroupAsync(group.GroupId, group.Topics).AsTask());
            }

            var response = new OffsetFetchResponse();
            response.Groups.AddRange(await Task.WhenAll(fetches).WaitAsync(ct));
            return response;
        }

        List<OffsetFetchRequest.OffsetFetchRequestTopics>? topics = null;
        if (request.Topics is not null)
        {
            topics = new List<OffsetFetchRequest.OffsetFetchRequestTopics>(request.Topics.Count);
            foreach (var topic in request.Topics)
            {
                topics.Add(new OffsetFetchRequest.OffsetFetchRequestTopics { Name = topic.Name, PartitionIndexes = topic.PartitionIndexes });
            }
        }

        var fetched = await FetchGroupAsync(request.GroupId, topics).AsTask().WaitAsync(ct);
        return SingleGroupFetchResponse(fetched, topics, context.ApiVersion);
    }

    /// <summary>
    /// OffsetDelete (v0). Topics or partitions missing from the metadata answer UNKNOWN_TOPIC_OR_PARTITION; a group
    /// error (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, coordinator errors) replaces the partition results, as Kafka's.
    /// </summary>
    public async ValueTask<OffsetDeleteResponse> OffsetDeleteAsync(GroupRequestContext context, OffsetDeleteRequest request, CancellationToken ct)
    {
        if (!IsActive)
        {
            return new OffsetDeleteResponse { ErrorCode = (short)ErrorCode.CoordinatorNotAvailable };
        }

        if (string.IsNullOrEmpty(request.GroupId))
        {
            return new OffsetDeleteResponse { ErrorCode = (short)ErrorCode.InvalidGroupId };
        }

        var image = _metadata();
        var unknown = new List<OffsetDeleteResponse.OffsetDeleteResponseTopic>();
        var valid = new List<OffsetDeleteRequest.OffsetDeleteRequestTopic>(request.Topics.Count);
        foreach (var topic in request.Topics)
        {
            var known = new OffsetDeleteRequest.OffsetDeleteRequestTopic { Name = topic.Name };
            var missing = new OffsetDeleteResponse.OffsetDeleteResponseTopic { Name = topic.Name };
            foreach (var partition in topic.Partitions)
            {
                if (PartitionExists(image, topic.Name, partition.PartitionIndex))
                {
                    known.Partitions.Add(partition);
                }
                else
                {
                    missing.Partitions.Add(new OffsetDeleteResponse.OffsetDeleteResponsePartition
                    {
                        PartitionIndex = partition.PartitionIndex,
                        ErrorCode = (short)ErrorCode.UnknownTopicOrPartition,
                    });
                }
            }

            if (known.Partitions.Count > 0)
            {
                valid.Add(known);
            }

            if (missing.Partitions.Count > 0)
            {
                unknown.Add(missing);
            }
        }

        var response = await OnShardAsync("OffsetDelete", request.GroupId, shard => shard.DeleteOffsetsAsync(request.GroupId, valid),
            static error => new OffsetDeleteResponse { ErrorCode = (short)error });
        if (response.ErrorCode != 0)
        {
            return response;
        }

        foreach (var missing in unknown)
        {
            var existing = response.Topics.Find(t => t.Name == missing.Name);
            if (existing is null)
            {
                response.Topics.Add(missing);
            }
            else
            {
                existing.Partitions.AddRange(missing.Partitions);
            }
        }

        return response;
    }

    private ValueTask<OffsetFetchResponse.OffsetFetchResponseGroup> FetchGroupAsync(string groupId, List<OffsetFetchRequest.OffsetFetchRequestTopics>? topics) =>
        OnShardAsync("OffsetFetch", groupId, shard => ValueTask.FromResult(shard.FetchOffsets(groupId, topics)),
            error => new OffsetFetchResponse.OffsetFetchResponseGroup { GroupId = groupId, ErrorCode = (short)error });

    /// <summary>
    /// The v0-7 layout. v2+ carry the group's error at the top level; v0-1 have no such field, so the error goes
    /// into every requested partition (Kafka's older coordinator did so; answering no partitions would make a
    /// client believe nothing was committed).
    /// </summary>
    private static OffsetFetchResponse SingleGroupFetchResponse(OffsetFetchResponse.OffsetFetchResponseGroup group,
        List<OffsetFetchRequest.OffsetFetchRequestTopics>? requested, short version)
    {
        var response = new OffsetFetchResponse { ErrorCode = group.ErrorCode };
        if (group.ErrorCode != 0 && version < 2 && requested is not null)
        {
            foreach (var topic in requested)
            {
                var failed = new OffsetFetchResponse.OffsetFetchResponseTopic { Name = topic.Name };
                foreach (var partition in topic.PartitionIndexes)
                {
                    failed.Partitions.Add(new OffsetFetchResponse.OffsetFetchResponsePartition
                    {
                        PartitionIndex = partition,
                        CommittedOffset = -1,
                        ErrorCode = group.ErrorCode,
                    });
                }

                response.Topics.Add(failed);
            }

            return response;
        }

        foreach (var topic in group.Topics)
        {
            var converted = new OffsetFetchResponse.OffsetFetchResponseTopic { Name = topic.Name };
            foreach (var partition in topic.Partitions)
            {
                converted.Partitions.Add(new OffsetFetchResponse.OffsetFetchResponsePartition
                {
                    PartitionIndex = partition.PartitionIndex,
                    CommittedOffset = partition.CommittedOffset,
                    CommittedLeaderEpoch = partition.CommittedLeaderEpoch,
                    Metadata = partition.Metadata,
                    ErrorCode = partition.ErrorCode,
                });
            }

            response.Topics.Add(converted);
        }

        return response;
    }

    private static bool PartitionExists(MetadataImage image, string topic, int partition) =>
        image.TryGetTopic(topic, out var found) && partition >= 0 && partition < found.Partitions.Length;

    private static List<OffsetCommitResponse.OffsetCommitResponseTopic> AllFailed(
        List<OffsetCommitRequest.OffsetCommitRequestTopic> topics, ErrorCode error)
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
                    ErrorCode = (short)error,
                });
            }

            results.Add(result);
        }

        return results;
    }

    /// <summary>Every partition of the request, in request order, with its code (<paramref name="fallback"/> when it has none).</summary>
    private static OffsetCommitResponse CommitResponse(OffsetCommitRequest request, Dictionary<(string Topic, int Partition), ErrorCode> errors,
        ErrorCode fallback)
    {
        var response = new OffsetCommitResponse();
        foreach (var topic in request.Topics)
        {
            var result = new OffsetCommitResponse.OffsetCommitResponseTopic { Name = topic.Name };
            foreach (var partition in topic.Partitions)
            {
                result.Partitions.Add(new OffsetCommitResponse.OffsetCommitResponsePartition
                {
                    PartitionIndex = partition.PartitionIndex,
                    ErrorCode = (short)errors.GetValueOrDefault((topic.Name, partition.PartitionIndex), fallback),
                });
            }

            response.Topics.Add(result);
        }

        return response;
    }
}
