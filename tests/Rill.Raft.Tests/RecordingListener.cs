namespace Rill.Raft.Tests;

/// <summary>Keeps everything a Raft client told it, in order.</summary>
internal sealed class RecordingListener : IRaftListener
{
    public List<RaftBatch> Commits { get; } = [];

    public List<RaftSnapshot> Snapshots { get; } = [];

    public List<LeaderAndEpoch> LeaderChanges { get; } = [];

    /// <summary>Every committed record value, in offset order, as UTF-8 text.</summary>
    public List<string> Values => [.. Commits.SelectMany(static b => b.Records).Select(static r => System.Text.Encoding.UTF8.GetString(r.Span))];

    public void HandleLoadSnapshot(RaftSnapshot snapshot) => Snapshots.Add(snapshot);

    /// <summary>Committed data batches; control batches (handed out with no records) only move the offsets.</summary>
    public void HandleCommit(RaftBatch batch)
    {
        if (batch.Records.Count > 0)
        {
            Commits.Add(batch);
        }
    }

    public void HandleLeaderChange(LeaderAndEpoch leader) => LeaderChanges.Add(leader);
}
