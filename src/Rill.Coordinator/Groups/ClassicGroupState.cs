namespace Rill.Coordinator.Groups;

/// <summary>The states of a classic group, with the transitions Kafka allows between them.</summary>
internal enum ClassicGroupState
{
    /// <summary>No members; offsets may exist. Left only by a join.</summary>
    Empty,

    /// <summary>A rebalance started: members must (re)join before the join phase completes.</summary>
    PreparingRebalance,

    /// <summary>The join phase completed: waiting for the leader's assignment in SyncGroup.</summary>
    CompletingRebalance,

    /// <summary>The generation's assignment was persisted and handed to the members.</summary>
    Stable,

    /// <summary>Removed or unloaded; nothing can be done with it any more.</summary>
    Dead,
}

/// <summary>Kafka's names for the states and the valid transitions.</summary>
internal static class ClassicGroupStates
{
    /// <summary>The state as Kafka spells it in DescribeGroups and ListGroups.</summary>
    public static string Name(this ClassicGroupState state) => state switch
    {
        ClassicGroupState.Empty => "Empty",
        ClassicGroupState.PreparingRebalance => "PreparingRebalance",
        ClassicGroupState.CompletingRebalance => "CompletingRebalance",
        ClassicGroupState.Stable => "Stable",
        ClassicGroupState.Dead => "Dead",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    /// <summary>True when a group in <paramref name="from"/> may move to <paramref name="to"/>.</summary>
    public static bool CanTransition(ClassicGroupState from, ClassicGroupState to) => to switch
    {
        ClassicGroupState.Empty => from == ClassicGroupState.PreparingRebalance,
        ClassicGroupState.PreparingRebalance =>
            from is ClassicGroupState.Stable or ClassicGroupState.CompletingRebalance or ClassicGroupState.Empty,
        ClassicGroupState.CompletingRebalance => from == ClassicGroupState.PreparingRebalance,
        ClassicGroupState.Stable => from == ClassicGroupState.CompletingRebalance,
        ClassicGroupState.Dead => true,
        _ => false,
    };
}
