namespace Rill.Coordinator.Runtime;

internal sealed partial class GroupCoordinatorShard
{
    /// <summary>A copy of this partition's committed offsets; runs on the loop.</summary>
    public List<GroupOffsetSnapshot> CommittedOffsets() => _offsets.Snapshot();
}
