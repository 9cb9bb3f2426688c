namespace Rill.Coordinator.Runtime;

/// <summary>What a timer is for: a group's join phase or sync deadline, a member's session, the partition's cleanup.</summary>
internal readonly record struct TimerKey(TimerKind Kind, string GroupId, string MemberId)
{
    public static TimerKey Join(string groupId) => new(TimerKind.Join, groupId, string.Empty);

    public static TimerKey Sync(string groupId) => new(TimerKind.Sync, groupId, string.Empty);

    public static TimerKey Heartbeat(string groupId, string memberId) => new(TimerKind.Heartbeat, groupId, memberId);

    public static TimerKey Cleanup { get; } = new(TimerKind.Cleanup, string.Empty, string.Empty);
}
