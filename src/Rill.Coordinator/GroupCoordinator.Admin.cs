using Rill.Common;
using Rill.Coordinator.Runtime;
using Rill.Protocol.Messages;

namespace Rill.Coordinator;

public sealed partial class GroupCoordinator
{
    /// <summary>
    /// ListGroups at any version 0-5: the groups of every loaded partition, filtered by state (v4+) and type (v5+),
    /// both case-insensitive. A partition still loading makes the whole answer COORDINATOR_LOAD_IN_PROGRESS, as Kafka's.
    /// </summary>
    public async ValueTask<ListGroupsResponse> ListGroupsAsync(GroupRequestContext context, ListGroupsRequest request, CancellationToken ct)
    {
        if (!IsActive)
        {
            return new ListGroupsResponse { ErrorCode = (short)ErrorCode.CoordinatorNotAvailable };
        }

        var states = Normalized(context.ApiVersion >= 4 ? request.StatesFilter : []);
        var types = Normalized(context.ApiVersion >= 5 ? request.TypesFilter : []);
        var listings = new List<Task<List<ListGroupsResponse.ListedGroup>>>();
        foreach (var shard in _shards.Values)
        {
            switch (shard.Status)
            {
                case ShardStatus.Loading:
                    return new ListGroupsResponse { ErrorCode = (short)ErrorCode.CoordinatorLoadInProgress };
                case ShardStatus.Active:
                    listings.Add(shard.RunAsync(() => ValueTask.FromResult(shard.ListGroups(states, types))));
                    break;
            }
        }

        var response = new ListGroupsResponse();
        foreach (var listing in listings)
        {
            try
            {
                response.Groups.AddRange(await listing.WaitAsync(ct));
            }
            catch (KafkaException exception) when (exception.ErrorCode == ErrorCode.NotCoordinator)
            {
                // Resigned meanwhile: its groups are someone else's now.
            }
            catch (KafkaException exception)
            {
                return new ListGroupsResponse { ErrorCode = (short)exception.ErrorCode };
            }
        }

        return response;
    }

    /// <summary>
    /// DescribeGroups at any version 0-5, in request order. Unknown groups are Dead with no error (v0-5); v3+ report
    /// the authorized operations when asked (READ, DELETE, DESCRIBE: there is no authorizer).
    /// </summary>
    public async ValueTask<DescribeGroupsResponse> DescribeGroupsAsync(GroupRequestContext context, DescribeGroupsRequest request, CancellationToken ct)
    {
        var includeOperations = context.ApiVersion >= 3 && request.IncludeAuthorizedOperations;
        var described = await ForEachPartitionAsync(
            "DescribeGroups",
            request.Groups,
            (shard, groupIds) => ValueTask.FromResult(shard.DescribeGroups(groupIds, includeOperations)),
            static (groupId, error) => new DescribeGroupsResponse.DescribedGroup { GroupId = groupId, ErrorCode = (short)error },
            static group => group.GroupId,
            ct);
        var response = new DescribeGroupsResponse();
        response.Groups.AddRange(described);
        return response;
    }

    /// <summary>
    /// DeleteGroups at any version 0-2: each distinct group answers NONE (deleted, with tombstones for its offsets and
    /// metadata), NON_EMPTY_GROUP (68) or GROUP_ID_NOT_FOUND (69).
    /// </summary>
    public async ValueTask<DeleteGroupsResponse> DeleteGroupsAsync(GroupRequestContext context, DeleteGroupsRequest request, CancellationToken ct)
    {
        var results = await ForEachPartitionAsync(
            "DeleteGroups",
            request.GroupsNames.Distinct(StringComparer.Ordinal).ToList(),
            (shard, groupIds) => shard.DeleteGroupsAsync(groupIds),
            static (groupId, error) => new DeleteGroupsResponse.DeletableGroupResult { GroupId = groupId, ErrorCode = (short)error },
            static result => result.GroupId,
            ct);
        var response = new DeleteGroupsResponse();
        response.Results.AddRange(results);
        return response;
    }

    private static HashSet<string> Normalized(List<string> filter)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in filter)
        {
            set.Add(value.Trim().ToLowerInvariant());
        }

        return set;
    }

    /// <summary>
    /// Runs a per-group operation once per __consumer_offsets partition involved, concurrently, and returns one result
    /// per group in the request's order; groups whose partition is not available here get <paramref name="failed"/>.
    /// </summary>
    private async ValueTask<List<T>> ForEachPartitionAsync<T>(
        string api,
        List<string> groupIds,
        Func<GroupCoordinatorShard, IReadOnlyList<string>, ValueTask<List<T>>> operation,
        Func<string, ErrorCode, T> failed,
        Func<T, string> groupOf,
        CancellationToken ct)
    {
        var byPartition = new Dictionary<int, List<string>>();
        var active = IsActive;
        foreach (var groupId in groupIds)
        {
            if (!active)
            {
                continue;
            }

            var partition = PartitionFor(groupId);
            if (!byPartition.TryGetValue(partition, out var list))
            {
                list = [];
                byPartition.Add(partition, list);
            }

            list.Add(groupId);
        }

        var pending = new List<Task<List<T>>>(byPartition.Count);
        foreach (var (partition, list) in byPartition)
        {
            pending.Add(RunOnPartitionAsync(api, partition, list, operation, failed).AsTask());
        }

        var byGroup = new Dictionary<string, Queue<T>>(StringComparer.Ordinal);
        foreach (var result in (await Task.WhenAll(pending).WaitAsync(ct)).SelectMany(static results => results))
        {
            var groupId = groupOf(result);
            if (!byGroup.TryGetValue(groupId, out var queue))
            {
                queue = new Queue<T>();
                byGroup.Add(groupId, queue);
            }

            queue.Enqueue(result);
        }

        var ordered = new List<T>(groupIds.Count);
        foreach (var groupId in groupIds)
        {
            ordered.Add(byGroup.TryGetValue(groupId, out var queue) && queue.TryDequeue(out var result)
                ? result
                : failed(groupId, ErrorCode.CoordinatorNotAvailable));
        }

        return ordered;
    }

    private async ValueTask<List<T>> RunOnPartitionAsync<T>(string api, int partition, List<string> groupIds,
        Func<GroupCoordinatorShard, IReadOnlyList<string>, ValueTask<List<T>>> operation, Func<string, ErrorCode, T> failed)
    {
        var error = ShardOf(partition, out var shard);
        if (error != ErrorCode.None)
        {
            return groupIds.Select(groupId => failed(groupId, error)).ToList();
        }

        return await RunAsync(api, groupIds[0], shard!, s => operation(s, groupIds),
            code => groupIds.Select(groupId => failed(groupId, code)).ToList());
    }
}
