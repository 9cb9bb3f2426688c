namespace Rill.Coordinator;

/// <summary>One committed offset as <see cref="GroupCoordinator.CommittedOffsetsAsync"/> copies it, for metrics.</summary>
public sealed record GroupOffsetSnapshot(string GroupId, string Topic, int Partition, long CommittedOffset);
