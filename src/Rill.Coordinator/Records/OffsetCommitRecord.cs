using Rill.Coordinator.Offsets;

namespace Rill.Coordinator.Records;

/// <summary>An OffsetCommitKey/OffsetCommitValue pair; a null <see cref="Offset"/> is the tombstone that deletes it.</summary>
internal sealed record OffsetCommitRecord(string GroupId, string Topic, int Partition, OffsetAndMetadata? Offset)
    : CoordinatorRecord(GroupId);
