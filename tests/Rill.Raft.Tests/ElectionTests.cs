using Rill.Common;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;

namespace Rill.Raft.Tests;

public sealed class ElectionTests
{
    private static readonly int[] ThreeVoters = [1, 2, 3];

    [Fact]
    public void Initialize_SingleVoter_ElectsItselfAndCommitsItsLeaderChange()
    {
        using var node = new RaftNodeFixture(1, [1]);
        node.Start();

        Assert.True(node.Client.IsLeader);
        Assert.Equal(new LeaderAndEpoch(1, 1), node.Client.LeaderAndEpoch);
        Assert.Equal(1, node.Client.HighWatermark);
        var batch = Assert.Single(node.Log.Batches);
        Assert.True(RecordBatch.IsControlBatch(batch));
        Assert.Equal(1, RecordBatch.GetPartitionLeaderEpoch(batch));
        Assert.True(RaftBatches.TryGetControlType(batch, out var type));
        Assert.Equal(ControlRecordType.LeaderChange, type);
        var stored = node.Store.Read()!;
        Assert.Equal((1, 1, 1), (stored.LeaderEpoch, stored.LeaderId, stored.VotedId));

        node.Poll();
        Assert.Empty(node.Listener.Commits);
        Assert.Equal([new LeaderAndEpoch(1, 1)], node.Listener.LeaderChanges);
    }

    [Fact]
    public void ElectionTimeout_Voter_AsksForPreVotesInItsCurrentEpoch()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        var writes = node.Store.WriteCount;
        Assert.Equal(0, node.Channel.Count);

        node.Advance(2_000);

        Assert.IsType<ProspectiveState>(node.Client.State);
        var preVotes = node.Channel.Take<VoteRequest>();
        Assert.Equal([2, 3], preVotes.Select(static v => v.Destination).Order());
        foreach (var (destination, request, _) in preVotes)
        {
            var partition = RaftMessages.Single(request);
            Assert.True(PreVoteField.IsPreVote(partition));
            Assert.Equal((0, 1, 0, 0L), (partition.CandidateEpoch, partition.CandidateId, partition.LastOffsetEpoch, partition.LastOffset));
            Assert.Equal(destination, request.VoterId);
            Assert.Equal(RaftNodeFixture.ClusterId, request.ClusterId);
        }

        Assert.Equal(writes, node.Store.WriteCount);
        Assert.Equal(0, node.Store.Read()!.LeaderEpoch);
    }

    [Fact]
    public void PreVote_GrantedByAMajority_StandsInTheNextEpochWithItsVoteStored()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        node.Advance(2_000);
        var preVotes = node.Channel.Take<VoteRequest>();

        preVotes.Single(static v => v.Destination == 2).Respond(RaftMessages.VoteAnswer(granted: true, epoch: 0));
        node.Poll();

        var candidate = Assert.IsType<CandidateState>(node.Client.State);
        Assert.Equal(1, candidate.Epoch);
        var stored = node.Store.Read()!;
        Assert.Equal((1, 1, -1), (stored.LeaderEpoch, stored.VotedId, stored.LeaderId));
        var votes = node.Channel.Take<VoteRequest>();
        Assert.Equal([2, 3], votes.Select(static v => v.Destination).Order());
        Assert.All(votes, static v => Assert.False(PreVoteField.IsPreVote(RaftMessages.Single(v.Request))));
        Assert.All(votes, static v => Assert.Equal(1, RaftMessages.Single(v.Request).CandidateEpoch));
    }

    [Fact]
    public void PreVote_RejectedByAMajority_WaitsAgainWithoutBumpingTheEpoch()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        node.Advance(2_000);

        foreach (var (_, _, respond) in node.Channel.Take<VoteRequest>())
        {
            respond(RaftMessages.VoteAnswer(granted: false, epoch: 0));
        }

        node.Poll();

        var unattached = Assert.IsType<UnattachedState>(node.Client.State);
        Assert.Equal(0, unattached.Epoch);
        Assert.Equal(0, node.Store.Read()!.LeaderEpoch);
        Assert.Empty(node.Channel.Take<VoteRequest>());
    }

    [Fact]
    public void Vote_GrantedByAMajority_LeadsAndAppendsLeaderChangeAtTheEpochStart()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        ElectionHelpers.ElectNodeOne(node);

        Assert.True(node.Client.IsLeader);
        Assert.Equal(new LeaderAndEpoch(1, 1), node.Client.LeaderAndEpoch);
        var stored = node.Store.Read()!;
        Assert.Equal((1, 1), (stored.LeaderEpoch, stored.LeaderId));
        var batch = Assert.Single(node.Log.Batches);
        Assert.Equal(0, RecordBatch.GetBaseOffset(batch));
        var message = Rill.Protocol.KafkaMessage.Deserialize<LeaderChangeMessage>(RaftBatches.ReadControlValue(batch), 0);
        Assert.Equal(1, message.LeaderId);
        Assert.Equal([1, 2, 3], message.Voters.Select(static v => v.VoterId));
        Assert.Equal([1, 2], message.GrantingVoters.Select(static v => v.VoterId).Order());

        // Not committed until a follower has it: one voter of three is no majority.
        Assert.Equal(-1, node.Client.HighWatermark);
        var begins = node.Channel.Take<BeginQuorumEpochRequest>();
        Assert.Equal([2, 3], begins.Select(static b => b.Destination).Order());
        Assert.All(begins, static b => Assert.Equal((1, 1), (Assert.Single(Assert.Single(b.Request.Topics).Partitions).LeaderId,
            Assert.Single(Assert.Single(b.Request.Topics).Partitions).LeaderEpoch)));
    }

    [Fact]
    public void Vote_RejectedByAMajority_BacksOffThenAsksForPreVotesAgain()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        node.Advance(2_000);
        node.Channel.Take<VoteRequest>().Single(static v => v.Destination == 2).Respond(RaftMessages.VoteAnswer(granted: true, epoch: 0));
        node.Poll();

        foreach (var (_, _, respond) in node.Channel.Take<VoteRequest>())
        {
            respond(RaftMessages.VoteAnswer(granted: false, epoch: 1));
        }

        node.Poll();
        var candidate = Assert.IsType<CandidateState>(node.Client.State);
        Assert.True(candidate.IsBackingOff);

        node.Advance(1_000);

        var prospective = Assert.IsType<ProspectiveState>(node.Client.State);
        Assert.Equal(1, prospective.Epoch);
        Assert.Equal(1, prospective.VotedId);
        Assert.All(node.Channel.Take<VoteRequest>(), static v => Assert.True(PreVoteField.IsPreVote(RaftMessages.Single(v.Request))));
    }

    [Fact]
    public void BeginQuorumEpoch_NewerEpoch_FollowsTheLeaderAndFetchesFromIt()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();

        var answer = node.Request<BeginQuorumEpochResponse>(RaftMessages.BeginQuorumEpoch(leaderId: 2, epoch: 3));

        var partition = Assert.Single(Assert.Single(answer.Topics).Partitions);
        Assert.Equal((ErrorCode.None, 2, 3), ((ErrorCode)partition.ErrorCode, partition.LeaderId, partition.LeaderEpoch));
        Assert.Equal(new LeaderAndEpoch(2, 3), node.Client.LeaderAndEpoch);
        var stored = node.Store.Read()!;
        Assert.Equal((3, 2), (stored.LeaderEpoch, stored.LeaderId));
        var (destination, fetch, _) = Assert.Single(node.Channel.Take<FetchRequest>());
        Assert.Equal(2, destination);
        var fetchPartition = RaftMessages.Single(fetch);
        Assert.Equal((3, 0L, 0), (fetchPartition.CurrentLeaderEpoch, fetchPartition.FetchOffset, fetchPartition.LastFetchedEpoch));
        Assert.Equal(1, fetch.ReplicaState.ReplicaId);
        Assert.Equal(MetadataTopicPartition.TopicId, Assert.Single(fetch.Topics).TopicId);
        Assert.Equal(500, fetch.MaxWaitMs);
        Assert.Equal([new LeaderAndEpoch(2, 3)], node.Listener.LeaderChanges);
    }

    [Fact]
    public void FetchTimeout_Follower_AsksForPreVotesInTheSameEpoch()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        node.Request(RaftMessages.BeginQuorumEpoch(leaderId: 2, epoch: 3));
        node.Channel.Take<FetchRequest>().Single().Respond(RaftMessages.FetchAnswer(2, 3, 0, ReadOnlyMemory<byte>.Empty));
        node.Poll();

        node.Advance(2_001);

        var prospective = Assert.IsType<ProspectiveState>(node.Client.State);
        Assert.Equal((3, 2), (prospective.Epoch, prospective.LeaderId));
        Assert.All(node.Channel.Take<VoteRequest>(), static v => Assert.Equal(3, RaftMessages.Single(v.Request).CandidateEpoch));
    }

    [Fact]
    public void Restart_AsLeader_ComesBackResignedInItsEpoch()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        ElectionHelpers.ElectNodeOne(node);

        node.Restart(crash: true);

        var resigned = Assert.IsType<ResignedState>(node.Client.State);
        Assert.Equal(1, resigned.Epoch);
        node.Poll();
        var ends = node.Channel.Take<EndQuorumEpochRequest>();
        Assert.Equal([2, 3], ends.Select(static e => e.Destination).Order());
    }

    [Fact]
    public void ScheduleAtomicAppend_NotLeader_ThrowsNotLeaderException()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();

        var exception = Assert.Throws<NotLeaderException>(() => node.Client.ScheduleAtomicAppend(0, RaftMessages.Records("a")));
        Assert.Equal(ErrorCode.NotController, exception.ErrorCode);
    }

    [Fact]
    public void ScheduleAtomicAppend_OtherEpoch_ThrowsNotLeaderException()
    {
        using var node = new RaftNodeFixture(1, [1]);
        node.Start();

        Assert.Throws<NotLeaderException>(() => node.Client.ScheduleAtomicAppend(2, RaftMessages.Records("a")));
    }

    [Fact]
    public void ScheduleAtomicAppend_SingleVoter_ReturnsTheLastOffsetAndCommitsToListeners()
    {
        using var node = new RaftNodeFixture(1, [1]);
        node.Start();

        var first = node.Client.ScheduleAtomicAppend(1, RaftMessages.Records("a", "b"));
        var second = node.Client.ScheduleAtomicAppend(1, RaftMessages.Records("c"));
        node.Poll();

        Assert.Equal((2L, 3L), (first, second));
        Assert.Equal(4, node.Client.HighWatermark);
        Assert.Equal(["a", "b", "c"], node.Listener.Values);
        Assert.Equal([(1L, 2L, 1), (3L, 3L, 1)], node.Listener.Commits.Select(static b => (b.BaseOffset, b.LastOffset, b.Epoch)));
    }
}

/// <summary>Plays voters 2 and 3 through an election that node 1 wins in epoch 1.</summary>
internal static class ElectionHelpers
{
    /// <summary>Node 1 stands (pre-vote, then vote) and voters 2 and 3 grant both: a majority of three or of five.</summary>
    public static void ElectNodeOne(RaftNodeFixture node)
    {
        node.Advance(2_000);
        GrantFromTwoAndThree(node);
        GrantFromTwoAndThree(node);
        Assert.True(node.Client.IsLeader, $"node 1 is {node.Client.State}, not leader");
    }

    private static void GrantFromTwoAndThree(RaftNodeFixture node)
    {
        foreach (var (destination, request, respond) in node.Channel.Take<VoteRequest>())
        {
            if (destination is 2 or 3)
            {
                respond(RaftMessages.VoteAnswer(granted: true, epoch: RaftMessages.Single(request).CandidateEpoch));
            }
        }

        node.Poll();
    }
}
