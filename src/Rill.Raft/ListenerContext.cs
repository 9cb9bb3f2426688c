namespace Rill.Raft;

/// <summary>How far one listener has been told (kafka: <c>KafkaRaftClient.ListenerContext</c>).</summary>
internal sealed class ListenerContext
{
    public ListenerContext(IRaftListener listener)
    {
        Listener = listener;
    }

    public IRaftListener Listener { get; }

    /// <summary>The offset of the next record it gets; -1 until Initialize set it.</summary>
    public long NextOffset { get; set; } = -1;

    /// <summary>The last leader and epoch it was told; null before the first.</summary>
    public LeaderAndEpoch? LastLeader { get; set; }
}
