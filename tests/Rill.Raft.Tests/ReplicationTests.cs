using Rill.Common;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;

namespace Rill.Raft.Tests;

public sealed class ReplicationTests
{
    private static readonly int[] ThreeVoters = [1, 2, 3];
    private static readonly int[] FiveVoters = [1, 2, 3, 4, 5];

    [Fact]
    public void Fetch_FollowerAtTheEnd_IsHeldUntilAnAppendThenAnsweredWithIt()
    {
        using var node = Leader(ThreeVoters);
        var leaderChange = RaftMessages.Single(node.Request<FetchResponse>(RaftMessages.Fetch(2, 1, 0, 0)));
        Assert.Single(RaftBatches.Split(leaderChange.Records!.Value, out _));

        // Node 2's fetch at the end moves the high watermark: it is told at once, and node 3, not told yet, too.
        Assert.Equal(1L, RaftMessages.Single(node.Request<FetchResponse>(RaftMessages.Fetch(2, 1, 1, 1, maxWaitMs: 500))).HighWatermark);
        Assert.Equal(1L, RaftMessages.Single(node.Request<FetchResponse>(RaftMessages.Fetch(3, 1, 1, 1, maxWaitMs: 500))).HighWatermark);

        var held = node.Request(RaftMessages.Fetch(2, 1, 1, 1, maxWaitMs: 500));
        Assert.Null(held);

        FetchResponse? answer = null;
        node.Client.HandleRequest(RaftMessages.Fetch(3, 1, 1, 1, maxWaitMs: 500), r => answer = (FetchResponse)r);
        node.Poll();
        Assert.Null(answer);

        node.Client.ScheduleAtomicAppend(1, RaftMessages.Records("a"));
        node.Poll();

        var partition = RaftMessages.Single(answer!);
        var batch = Assert.Single(RaftBatches.Split(partition.Records!.Value, out _));
        Assert.Equal((1L, 1), (RecordBatch.GetBaseOffset(batch.Span), RecordBatch.GetPartitionLeaderEpoch(batch.Span)));
        Assert.Equal(["a"], RaftBatches.ToRaftBatch(batch.Span).Records.Select(static r => System.Text.Encoding.UTF8.GetString(r.Span)));
        Assert.Equal((ErrorCode.None, 1L, 1, 1), ((ErrorCode)partition.ErrorCode, partition.HighWatermark, partition.CurrentLeader.LeaderId,
            partition.CurrentLeader.LeaderEpoch));
    }

    [Fact]
    public void Fetch_NothingNew_IsAnsweredEmptyWhenItsMaxWaitPasses()
    {
        using var node = Leader(ThreeVoters);
        Assert.Equal(1L, RaftMessages.Single(node.Request<FetchResponse>(RaftMessages.Fetch(2, 1, 1, 1, maxWaitMs: 500))).HighWatermark);
        FetchResponse? answer = null;
        node.Client.HandleRequest(RaftMessages.Fetch(2, 1, 1, 1, maxWaitMs: 500), r => answer = (FetchResponse)r);
        node.Poll();

        node.Advance(499);
        Assert.Null(answer);
        node.Advance(1);

        var partition = RaftMessages.Single(answer!);
        Assert.True(partition.Records!.Value.IsEmpty);
        Assert.Equal(1, partition.HighWatermark);
    }

    [Fact]
    public void Fetch_Held_IsAnsweredEarlyWhenAnotherFollowerMovesTheHighWatermark()
    {
        using var node = Leader(FiveVoters);
        node.Client.ScheduleAtomicAppend(1, RaftMessages.Records("a"));
        node.Poll();
        FetchResponse? answer = null;
        node.Client.HandleRequest(RaftMessages.Fetch(3, 1, 2, 1, maxWaitMs: 500), r => answer = (FetchResponse)r);
        node.Poll();
        Assert.Null(answer);
        Assert.Equal(-1, node.Client.HighWatermark);

        node.Request(RaftMessages.Fetch(2, 1, 2, 1));

        Assert.Equal(2, node.Client.HighWatermark);
        Assert.Equal(2, RaftMessages.Single(answer!).HighWatermark);
        Assert.True(RaftMessages.Single(answer!).Records!.Value.IsEmpty);
    }

    [Fact]
    public void HighWatermark_CountsOnlyWhatTheLeaderHasFlushed()
    {
        using var node = Leader(ThreeVoters);
        node.Log.FlushEnabled = false;
        node.Client.ScheduleAtomicAppend(1, RaftMessages.Records("a"));
        node.Poll();

        node.Request(RaftMessages.Fetch(2, 1, 2, 1));
        Assert.Equal(1, node.Client.HighWatermark);

        node.Request(RaftMessages.Fetch(3, 1, 2, 1));
        Assert.Equal(2, node.Client.HighWatermark);
        Assert.Equal(["a"], node.Listener.Values);
    }

    [Fact]
    public void HighWatermark_RecordsOfAnEarlierEpoch_CommitOnlyWithTheNewLeadersFirstRecord()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Log.AppendAsFollower(RaftMessages.DataBatch(0, 1, "old"));
        node.Log.Flush();
        node.Start();
        ElectionHelpers.ElectNodeOne(node);
        Assert.Equal(2, node.Client.State.Epoch);

        node.Request(RaftMessages.Fetch(2, 2, 1, 1));
        Assert.Equal(-1, node.Client.HighWatermark);
        node.Poll();
        Assert.Empty(node.Listener.Commits);

        node.Request(RaftMessages.Fetch(2, 2, 2, 2));
        Assert.Equal(2, node.Client.HighWatermark);
        Assert.Equal(["old"], node.Listener.Values);
        Assert.Equal([new LeaderAndEpoch(1, 2)], node.Listener.LeaderChanges.Where(static l => l.LeaderId == 1));
    }

    [Fact]
    public void Fetch_FollowerWithATailOfAnOlderEpoch_GetsWhereTheLeadersEpochEnds()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Log.AppendAsFollower(RaftMessages.DataBatch(0, 1, "a", "b"));
        node.Log.Flush();
        node.Start();
        ElectionHelpers.ElectNodeOne(node);

        var partition = RaftMessages.Single(node.Request<FetchResponse>(RaftMessages.Fetch(2, 2, 3, 1)));

        Assert.Equal((1, 2L), (partition.DivergingEpoch.Epoch, partition.DivergingEpoch.EndOffset));
        Assert.True(partition.Records!.Value.IsEmpty);
        Assert.Equal((-1, -1L), (partition.SnapshotId.Epoch, partition.SnapshotId.EndOffset));
    }

    [Fact]
    public void Fetch_LastFetchedEpochTheLeaderNeverHad_DivergesFromTheStart()
    {
        using var node = Leader(ThreeVoters);

        var partition = RaftMessages.Single(node.Request<FetchResponse>(RaftMessages.Fetch(2, 1, 3, 0)));

        Assert.Equal((0, 0L), (partition.DivergingEpoch.Epoch, partition.DivergingEpoch.EndOffset));
    }

    [Theory]
    [InlineData(ErrorCode.FencedLeaderEpoch, 0)]
    [InlineData(ErrorCode.UnknownLeaderEpoch, 2)]
    public void Fetch_OtherEpoch_IsRefusedWithTheLeaderAndEpoch(ErrorCode expected, int requestEpoch)
    {
        using var node = Leader(ThreeVoters);

        var partition = RaftMessages.Single(node.Request<FetchResponse>(RaftMessages.Fetch(2, requestEpoch, 0, 0)));

        Assert.Equal((expected, 1, 1), ((ErrorCode)partition.ErrorCode, partition.CurrentLeader.LeaderId, partition.CurrentLeader.LeaderEpoch));
    }

    [Fact]
    public void Fetch_ToAFollower_IsNotLeaderOrFollowerNamingTheLeader()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        node.Request(RaftMessages.BeginQuorumEpoch(leaderId: 3, epoch: 4));

        var partition = RaftMessages.Single(node.Request<FetchResponse>(RaftMessages.Fetch(7, 4, 0, 0)));

        Assert.Equal((ErrorCode.NotLeaderOrFollower, 3, 4), ((ErrorCode)partition.ErrorCode, partition.CurrentLeader.LeaderId,
            partition.CurrentLeader.LeaderEpoch));
    }

    [Fact]
    public void Fetch_LastFetchedEpochAboveTheLeaderEpoch_IsInvalidRequest()
    {
        using var node = Leader(ThreeVoters);

        var partition = RaftMessages.Single(node.Request<FetchResponse>(RaftMessages.Fetch(2, 1, 0, 2)));

        Assert.Equal(ErrorCode.InvalidRequest, (ErrorCode)partition.ErrorCode);
    }

    [Fact]
    public void FetchResponse_Records_AreAppendedFlushedAndCommittedUpToTheLeadersHighWatermark()
    {
        using var node = Follower(leaderId: 2, epoch: 3);
        var records = Concat(RaftMessages.DataBatch(0, 3, "a"), RaftMessages.DataBatch(1, 3, "b", "c"));

        node.Channel.Take<FetchRequest>().Single().Respond(RaftMessages.FetchAnswer(2, 3, highWatermark: 1, records));
        node.Poll();

        Assert.Equal((3L, 3L), (node.Log.EndOffset, node.Log.FlushedOffset));
        Assert.Equal(1, node.Client.HighWatermark);
        Assert.Equal(["a"], node.Listener.Values);
        var (_, next, _) = Assert.Single(node.Channel.Take<FetchRequest>());
        Assert.Equal((3L, 3), (RaftMessages.Single(next).FetchOffset, RaftMessages.Single(next).LastFetchedEpoch));
    }

    [Fact]
    public void FetchResponse_HighWatermarkPastTheLogEnd_IsCappedAtTheLogEnd()
    {
        using var node = Follower(leaderId: 2, epoch: 3);

        node.Channel.Take<FetchRequest>().Single().Respond(RaftMessages.FetchAnswer(2, 3, highWatermark: 9, RaftMessages.DataBatch(0, 3, "a")));
        node.Poll();

        Assert.Equal(1, node.Client.HighWatermark);
    }

    [Fact]
    public void FetchResponse_TornLastBatch_AppendsOnlyTheWholeOnes()
    {
        using var node = Follower(leaderId: 2, epoch: 3);
        var second = RaftMessages.DataBatch(1, 3, "b");
        var records = Concat(RaftMessages.DataBatch(0, 3, "a"), second.AsSpan(0, second.Length - 3).ToArray());

        node.Channel.Take<FetchRequest>().Single().Respond(RaftMessages.FetchAnswer(2, 3, highWatermark: 0, records));
        node.Poll();

        Assert.Equal(1, node.Log.EndOffset);
    }

    [Fact]
    public void FetchResponse_DivergingEpoch_TruncatesToTheCommonPrefixAndFetchesFromThere()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Log.AppendAsFollower(Concat(RaftMessages.DataBatch(0, 1, "a", "b"), RaftMessages.DataBatch(2, 1, "stale")));
        node.Log.Flush();
        node.Start();
        node.Request(RaftMessages.BeginQuorumEpoch(leaderId: 2, epoch: 3));
        var (_, fetch, respond) = node.Channel.Take<FetchRequest>().Single();
        Assert.Equal((3L, 1), (RaftMessages.Single(fetch).FetchOffset, RaftMessages.Single(fetch).LastFetchedEpoch));

        respond(RaftMessages.FetchAnswer(2, 3, highWatermark: -1, ReadOnlyMemory<byte>.Empty, diverging: new OffsetAndEpoch(2, 1)));
        node.Poll();

        Assert.Equal(2, node.Log.EndOffset);
        var (_, next, _) = Assert.Single(node.Channel.Take<FetchRequest>());
        Assert.Equal((2L, 1), (RaftMessages.Single(next).FetchOffset, RaftMessages.Single(next).LastFetchedEpoch));
    }

    [Fact]
    public void FetchResponse_DivergingEpochOfAnEpochThisLogLacks_TruncatesToWhereItsOwnEarlierEpochEnds()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Log.AppendAsFollower(Concat(RaftMessages.DataBatch(0, 1, "a"), RaftMessages.DataBatch(1, 3, "b")));
        node.Log.Flush();
        node.Start();
        node.Request(RaftMessages.BeginQuorumEpoch(leaderId: 2, epoch: 4));
        node.Channel.Take<FetchRequest>().Single()
            .Respond(RaftMessages.FetchAnswer(2, 4, highWatermark: -1, ReadOnlyMemory<byte>.Empty, diverging: new OffsetAndEpoch(5, 2)));

        node.Poll();

        Assert.Equal(1, node.Log.EndOffset);
    }

    [Fact]
    public void FetchResponse_DivergenceBelowTheHighWatermark_StopsTheNode()
    {
        using var node = Follower(leaderId: 2, epoch: 3);
        node.Channel.Take<FetchRequest>().Single()
            .Respond(RaftMessages.FetchAnswer(2, 3, highWatermark: 2, Concat(RaftMessages.DataBatch(0, 3, "a"), RaftMessages.DataBatch(1, 3, "b"))));
        node.Poll();
        node.Channel.Take<FetchRequest>().Single()
            .Respond(RaftMessages.FetchAnswer(2, 3, highWatermark: 2, ReadOnlyMemory<byte>.Empty, diverging: new OffsetAndEpoch(1, 3)));

        var exception = Assert.Throws<InvalidOperationException>(() => node.Poll());
        Assert.Contains("below the high watermark 2", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FetchResponse_NewerEpochWithALeader_FollowsTheNewLeader()
    {
        using var node = Follower(leaderId: 2, epoch: 3);

        node.Channel.Take<FetchRequest>().Single()
            .Respond(RaftMessages.FetchAnswer(3, 5, highWatermark: -1, ReadOnlyMemory<byte>.Empty, error: ErrorCode.FencedLeaderEpoch));
        node.Poll();

        Assert.Equal(new LeaderAndEpoch(3, 5), node.Client.LeaderAndEpoch);
        Assert.Equal(3, Assert.Single(node.Channel.Take<FetchRequest>()).Destination);
    }

    [Fact]
    public void Observer_WithoutALeader_FetchesAVoterAndFollowsTheLeaderItNames()
    {
        using var node = new RaftNodeFixture(9, ThreeVoters);
        node.Start();
        node.Poll();
        var (destination, fetch, respond) = Assert.Single(node.Channel.Take<FetchRequest>());
        Assert.Contains(destination, ThreeVoters);
        Assert.Equal(9, fetch.ReplicaState.ReplicaId);

        respond(RaftMessages.FetchAnswer(2, 4, -1, ReadOnlyMemory<byte>.Empty, error: ErrorCode.FencedLeaderEpoch));
        node.Poll();

        Assert.Equal(new LeaderAndEpoch(2, 4), node.Client.LeaderAndEpoch);
        Assert.Equal(2, Assert.Single(node.Channel.Take<FetchRequest>()).Destination);
        node.Advance(10_000);
        Assert.IsType<FollowerState>(node.Client.State);
        Assert.Empty(node.Channel.Take<VoteRequest>());
    }

    [Fact]
    public void Observer_FetchingFromTheLeader_IsListedAsAnObserverButNeverCounted()
    {
        using var node = Leader(ThreeVoters);
        node.Client.ScheduleAtomicAppend(1, RaftMessages.Records("a"));
        node.Poll();

        node.Request(RaftMessages.Fetch(9, 1, 2, 1));

        Assert.Equal(-1, node.Client.HighWatermark);
        var description = node.Client.DescribeQuorum();
        var observer = Assert.Single(description.Observers);
        Assert.Equal((9, 2L), (observer.NodeId, observer.LogEndOffset));
        Assert.Equal([1, 2, 3], description.Voters.Select(static v => v.NodeId));
    }

    [Fact]
    public void Fetch_WithoutAReplicaId_IsAnsweredButNotTrackedAsAReplica()
    {
        using var node = Leader(ThreeVoters);

        var partition = RaftMessages.Single(node.Request<FetchResponse>(RaftMessages.Fetch(-1, 1, 0, 0)));

        Assert.Single(RaftBatches.Split(partition.Records!.Value, out _));
        Assert.Empty(node.Client.DescribeQuorum().Observers);
    }

    private static RaftNodeFixture Leader(int[] voters)
    {
        var node = new RaftNodeFixture(1, voters);
        node.Start();
        ElectionHelpers.ElectNodeOne(node);
        node.Channel.Clear();
        return node;
    }

    private static RaftNodeFixture Follower(int leaderId, int epoch)
    {
        var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        node.Request(RaftMessages.BeginQuorumEpoch(leaderId, epoch));
        return node;
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(static p => p)];
}
