using Rill.Common;
using Rill.Coordinator.Groups;
using Rill.Coordinator.Records;
using Rill.Protocol.Messages;

namespace Rill.Coordinator.Runtime;

internal sealed partial class GroupCoordinatorShard
{
    /// <summary>The only group type this coordinator has (ListGroups v5 GroupType).</summary>
    public const string ClassicGroupType = "classic";

    /// <summary>Kafka's AclOperation bits allowed on a group without an authorizer: READ (3), DELETE (6), DESCRIBE (8).</summary>
    public const int GroupAuthorizedOperations = (1 << 3) | (1 << 6) | (1 << 8);

    /// <summary>This partition's groups matching the filters: states and types compared case-insensitively, empty = all.</summary>
    public List<ListGroupsResponse.ListedGroup> ListGroups(IReadOnlySet<string> states, IReadOnlySet<string> types)
    {
        var listed = new List<ListGroupsResponse.ListedGroup>();
        if (types.Count > 0 && !types.Contains(ClassicGroupType))
        {
            return listed;
        }

        foreach (var group in _groups.Values)
        {
            var state = group.State.Name();
            if (states.Count > 0 && !states.Contains(state.ToLowerInvariant()))
            {
                continue;
            }

            listed.Add(new ListGroupsResponse.ListedGroup
            {
                GroupId = group.GroupId,
                ProtocolType = group.ProtocolType ?? string.Empty,
                GroupState = state,
                GroupType = ClassicGroupType,
            });
        }

        return listed;
    }

    /// <summary>
    /// DescribeGroups for groups of this partition. Members' metadata and the protocol only in Stable (the only state
    /// with a settled generation); an unknown group is reported Dead with no error, as Kafka's v0-5 do.
    /// </summary>
    public List<DescribeGroupsResponse.DescribedGroup> DescribeGroups(IReadOnlyList<string> groupIds, bool includeAuthorizedOperations)
    {
        var described = new List<DescribeGroupsResponse.DescribedGroup>(groupIds.Count);
        foreach (var groupId in groupIds)
        {
            var result = new DescribeGroupsResponse.DescribedGroup
            {
                GroupId = groupId,
                AuthorizedOperations = includeAuthorizedOperations ? GroupAuthorizedOperations : int.MinValue,
            };
            if (!_groups.TryGetValue(groupId, out var group))
            {
                result.GroupState = ClassicGroupState.Dead.Name();
                described.Add(result);
                continue;
            }

            var stable = group.IsInState(ClassicGroupState.Stable);
            result.GroupState = group.State.Name();
            result.ProtocolType = group.ProtocolType ?? string.Empty;
            result.ProtocolData = stable ? group.ProtocolName ?? string.Empty : string.Empty;
            foreach (var member in group.Members)
            {
                result.Members.Add(new DescribeGroupsResponse.DescribedGroupMember
                {
                    MemberId = member.MemberId,
                    GroupInstanceId = member.GroupInstanceId,
                    ClientId = member.ClientId,
                    ClientHost = member.ClientHost,
                    MemberMetadata = stable ? member.Metadata(group.ProtocolName!) : [],
                    MemberAssignment = member.Assignment,
                });
            }

            described.Add(result);
        }

        return described;
    }

    /// <summary>
    /// DeleteGroups for groups of this partition: only Empty groups (NON_EMPTY_GROUP otherwise, GROUP_ID_NOT_FOUND
    /// when unknown). Tombstones for every offset and the group metadata go out in one batch; if it fails, every
    /// group of this partition in the request gets the error and nothing is deleted.
    /// </summary>
    public async ValueTask<List<DeleteGroupsResponse.DeletableGroupResult>> DeleteGroupsAsync(IReadOnlyList<string> groupIds)
    {
        var results = new List<DeleteGroupsResponse.DeletableGroupResult>(groupIds.Count);
        var records = new List<CoordinatorRecord>();
        var deleted = new List<(string GroupId, int OffsetCount)>();
        foreach (var groupId in groupIds)
        {
            var error = ErrorCode.None;
            if (!_groups.TryGetValue(groupId, out var group) || group.IsInState(ClassicGroupState.Dead))
            {
                error = ErrorCode.GroupIdNotFound;
            }
            else if (!group.IsInState(ClassicGroupState.Empty))
            {
                error = ErrorCode.NonEmptyGroup;
            }
            else
            {
                deleted.Add((groupId, AddGroupTombstones(groupId, records)));
            }

            results.Add(new DeleteGroupsResponse.DeletableGroupResult { GroupId = groupId, ErrorCode = (short)error });
        }

        var appendError = await AppendAsync(records);
        if (appendError != ErrorCode.None)
        {
            var mapped = GroupWriteError(appendError);
            foreach (var result in results)
            {
                result.ErrorCode = (short)mapped;
            }

            return results;
        }

        foreach (var record in records)
        {
            Replay(record);
        }

        foreach (var (groupId, offsetCount) in deleted)
        {
            GroupLog.GroupDeleted(_logger, groupId, offsetCount, "DeleteGroups");
        }

        return results;
    }

    /// <summary>Adds tombstones for all of the group's offsets and then its metadata; returns the number of offsets.</summary>
    private int AddGroupTombstones(string groupId, List<CoordinatorRecord> records)
    {
        var count = 0;
        foreach (var (topic, partitions) in _offsets.OffsetsOf(groupId))
        {
            foreach (var partition in partitions.Keys)
            {
                records.Add(new OffsetCommitRecord(groupId, topic, partition, Offset: null));
                count++;
            }
        }

        records.Add(new GroupMetadataRecord(groupId, Value: null));
        return count;
    }
}
