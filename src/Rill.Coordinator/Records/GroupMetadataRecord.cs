using Rill.Protocol.CoordinatorRecords;

namespace Rill.Coordinator.Records;

/// <summary>A GroupMetadataKey/GroupMetadataValue pair; a null <see cref="Value"/> is the tombstone that deletes the group.</summary>
internal sealed record GroupMetadataRecord(string GroupId, GroupMetadataValue? Value) : CoordinatorRecord(GroupId);
