using Rill.Common;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.RaftRecords;

namespace Rill.Raft.Tests;

public sealed class VoteTests
{
    private static readonly int[] ThreeVoters = [1, 2, 3];

    [Fact]
    public void Vote_UpToDateCandidate_IsGrantedAndStoredBeforeTheAnswerLeaves()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        QuorumStateData? storedWhenAnswered = null;
        VoteResponse? answer = null;

        node.Client.HandleRequest(RaftMessages.Vote(candidateId: 2, epoch: 1, lastEpoch: 0, endOffset: 0), response =>
        {
            storedWhenAnswered = node.Store.Read();
            answer = (VoteResponse)response;
        });
        node.Poll();

        var partition = RaftMessages.Single(answer!);
        Assert.True(partition.VoteGranted);
        Assert.Equal((ErrorCode.None, 1, -1), ((ErrorCode)partition.ErrorCode, partition.LeaderEpoch, partition.LeaderId));
        Assert.Equal((1, 2), (storedWhenAnswered!.LeaderEpoch, storedWhenAnswered.VotedId));
    }

    [Fact]
    public void Vote_SecondCandidateOfTheSameEpoch_IsRejected()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        node.Request(RaftMessages.Vote(candidateId: 2, epoch: 1, lastEpoch: 0, endOffset: 0));

        var second = RaftMessages.Single(node.Request<VoteResponse>(RaftMessages.Vote(candidateId: 3, epoch: 1, lastEpoch: 0, endOffset: 5)));
        var again = RaftMessages.Single(node.Request<VoteResponse>(RaftMessages.Vote(candidateId: 2, epoch: 1, lastEpoch: 0, endOffset: 0)));

        Assert.False(second.VoteGranted);
        Assert.True(again.VoteGranted);
        Assert.Equal(2, node.Store.Read()!.VotedId);
    }

    [Fact]
    public void Vote_AfterAHardKill_StaysWithTheFirstCandidate()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        node.Request(RaftMessages.Vote(candidateId: 2, epoch: 1, lastEpoch: 0, endOffset: 0));

        node.Restart(crash: true);

        Assert.False(RaftMessages.Single(node.Request<VoteResponse>(RaftMessages.Vote(candidateId: 3, epoch: 1, lastEpoch: 0, endOffset: 0))).VoteGranted);
        Assert.True(RaftMessages.Single(node.Request<VoteResponse>(RaftMessages.Vote(candidateId: 2, epoch: 1, lastEpoch: 0, endOffset: 0))).VoteGranted);
    }

    [Theory]
    [InlineData(1, 9, false)] // an older last epoch loses whatever its length
    [InlineData(2, 0, false)] // the same last epoch with a shorter log
    [InlineData(2, 1, true)] // the same log
    [InlineData(2, 2, true)] // a longer log
    [InlineData(3, 0, true)] // a later last epoch wins whatever its length
    public void Vote_CandidateLog_IsComparedByLastEpochThenEndOffset(int lastEpoch, long endOffset, bool granted)
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Log.AppendAsFollower(RaftMessages.DataBatch(0, 2, "a"));
        node.Start();

        var answer = RaftMessages.Single(node.Request<VoteResponse>(RaftMessages.Vote(candidateId: 2, epoch: 4, lastEpoch, endOffset)));

        Assert.Equal(granted, answer.VoteGranted);
        Assert.Equal(4, answer.LeaderEpoch);
        Assert.Equal(granted ? 2 : -1, node.Store.Read()!.VotedId);
    }

    [Fact]
    public void Vote_OlderEpoch_IsFencedWithTheCurrentEpoch()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        node.Request(RaftMessages.BeginQuorumEpoch(leaderId: 3, epoch: 2));

        var answer = RaftMessages.Single(node.Request<VoteResponse>(RaftMessages.Vote(candidateId: 2, epoch: 1, lastEpoch: 0, endOffset: 0)));

        Assert.Equal((ErrorCode.FencedLeaderEpoch, 2, 3, false),
            ((ErrorCode)answer.ErrorCode, answer.LeaderEpoch, answer.LeaderId, answer.VoteGranted));
    }

    [Fact]
    public void Vote_FromANodeOutsideTheVoters_IsInconsistentVoterSet()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();

        var answer = RaftMessages.Single(node.Request<VoteResponse>(RaftMessages.Vote(candidateId: 9, epoch: 1, lastEpoch: 0, endOffset: 0)));

        Assert.Equal(ErrorCode.InconsistentVoterSet, (ErrorCode)answer.ErrorCode);
        Assert.Equal(0, node.Store.Read()!.LeaderEpoch);
    }

    [Fact]
    public void Vote_MeantForAnotherVoter_IsInconsistentVoterSet()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();

        var answer = RaftMessages.Single(node.Request<VoteResponse>(RaftMessages.Vote(candidateId: 2, epoch: 1, lastEpoch: 0, endOffset: 0, voterId: 3)));

        Assert.Equal(ErrorCode.InconsistentVoterSet, (ErrorCode)answer.ErrorCode);
    }

    [Fact]
    public void Vote_FromAnotherCluster_IsInconsistentClusterId()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();

        var answer = node.Request<VoteResponse>(RaftMessages.Vote(candidateId: 2, epoch: 1, lastEpoch: 0, endOffset: 0, clusterId: "other"));

        Assert.Equal(ErrorCode.InconsistentClusterId, (ErrorCode)answer.ErrorCode);
        Assert.Empty(answer.Topics);
    }

    [Fact]
    public void Vote_LastEpochNotBelowTheCandidateEpoch_IsInvalidRequest()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();

        var answer = RaftMessages.Single(node.Request<VoteResponse>(RaftMessages.Vote(candidateId: 2, epoch: 1, lastEpoch: 1, endOffset: 0)));

        Assert.Equal(ErrorCode.InvalidRequest, (ErrorCode)answer.ErrorCode);
    }

    [Fact]
    public void Vote_ToAnObserver_IsInconsistentVoterSet()
    {
        using var node = new RaftNodeFixture(7, ThreeVoters);
        node.Start();

        var answer = RaftMessages.Single(node.Request<VoteResponse>(RaftMessages.Vote(candidateId: 2, epoch: 1, lastEpoch: 0, endOffset: 0)));

        Assert.Equal(ErrorCode.InconsistentVoterSet, (ErrorCode)answer.ErrorCode);
        Assert.False(answer.VoteGranted);
    }

    [Fact]
    public void PreVote_ChangesNeitherTheEpochNorTheStoredVote()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        var writes = node.Store.WriteCount;

        var preVote = RaftMessages.Single(node.Request<VoteResponse>(RaftMessages.Vote(candidateId: 2, epoch: 5, lastEpoch: 0, endOffset: 0, preVote: true)));

        Assert.True(preVote.VoteGranted);
        Assert.Equal(0, preVote.LeaderEpoch);
        Assert.Equal(writes, node.Store.WriteCount);
        Assert.IsType<UnattachedState>(node.Client.State);
        Assert.Equal(0, node.Client.State.Epoch);

        var vote = RaftMessages.Single(node.Request<VoteResponse>(RaftMessages.Vote(candidateId: 3, epoch: 1, lastEpoch: 0, endOffset: 0)));
        Assert.True(vote.VoteGranted);
        Assert.Equal((1, 3), (node.Store.Read()!.LeaderEpoch, node.Store.Read()!.VotedId));
    }

    [Fact]
    public void PreVote_StaleLog_IsRejected()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Log.AppendAsFollower(RaftMessages.DataBatch(0, 2, "a"));
        node.Start();

        var answer = RaftMessages.Single(node.Request<VoteResponse>(RaftMessages.Vote(candidateId: 2, epoch: 2, lastEpoch: 1, endOffset: 4, preVote: true)));

        Assert.False(answer.VoteGranted);
    }

    [Fact]
    public void PreVote_FollowerOfALiveLeader_IsRejectedUntilTheLeaderResigns()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        node.Request(RaftMessages.BeginQuorumEpoch(leaderId: 3, epoch: 1));
        node.Channel.Take<FetchRequest>().Single().Respond(RaftMessages.FetchAnswer(3, 1, 0, ReadOnlyMemory<byte>.Empty));
        node.Poll();

        var whileLive = RaftMessages.Single(node.Request<VoteResponse>(RaftMessages.Vote(candidateId: 2, epoch: 1, lastEpoch: 0, endOffset: 0, preVote: true)));
        var endAnswer = node.Request<EndQuorumEpochResponse>(RaftMessages.EndQuorumEpoch(leaderId: 3, epoch: 1, 2, 1));
        var afterResign = RaftMessages.Single(node.Request<VoteResponse>(RaftMessages.Vote(candidateId: 2, epoch: 1, lastEpoch: 0, endOffset: 0, preVote: true)));

        Assert.False(whileLive.VoteGranted);
        Assert.Equal(ErrorCode.None, (ErrorCode)Assert.Single(Assert.Single(endAnswer.Topics).Partitions).ErrorCode);
        Assert.True(afterResign.VoteGranted);
        Assert.IsType<FollowerState>(node.Client.State);
    }

    [Fact]
    public void EndQuorumEpoch_FirstPreferredSuccessor_StandsAtOnce()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        node.Request(RaftMessages.BeginQuorumEpoch(leaderId: 3, epoch: 1));
        node.Channel.Take<FetchRequest>().Single().Respond(RaftMessages.FetchAnswer(3, 1, 0, ReadOnlyMemory<byte>.Empty));
        node.Poll();

        node.Request(RaftMessages.EndQuorumEpoch(leaderId: 3, epoch: 1, 1, 2));
        node.Poll();

        Assert.IsType<ProspectiveState>(node.Client.State);
        Assert.Equal(2, node.Channel.Take<VoteRequest>().Count);
    }

    [Fact]
    public void VoteRequest_PreVoteFlag_SurvivesTheWireAtTheNegotiatedVersion()
    {
        var request = RaftMessages.Vote(candidateId: 2, epoch: 1, lastEpoch: 0, endOffset: 0, preVote: true);

        var parsed = KafkaMessage.Deserialize<VoteRequest>(KafkaMessage.Serialize(request, VoteRequest.HighestSupportedVersion), VoteRequest.HighestSupportedVersion);
        var plain = KafkaMessage.Deserialize<VoteRequest>(
            KafkaMessage.Serialize(RaftMessages.Vote(2, 1, 0, 0), VoteRequest.HighestSupportedVersion), VoteRequest.HighestSupportedVersion);

        Assert.True(PreVoteField.IsPreVote(RaftMessages.Single(parsed)));
        Assert.False(PreVoteField.IsPreVote(RaftMessages.Single(plain)));
    }
}
