using Rill.Common;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Raft.Tests;

/// <summary>RunAsync: the driver loop on the injected clock, woken by requests, responses and appends, resigning on cancellation.</summary>
public sealed class DriverTests
{
    private static readonly int[] ThreeVoters = [1, 2, 3];
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RunAsync_Cancelled_LeaderResignsNamingTheMostCaughtUpVoterFirstAndStopsOnceANewLeaderIsKnown()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        ElectionHelpers.ElectNodeOne(node);
        node.Client.ScheduleAtomicAppend(1, RaftMessages.Records("a"));
        node.Poll();
        node.Request(RaftMessages.Fetch(2, 1, 1, 1));
        node.Request(RaftMessages.Fetch(3, 1, 2, 1));
        node.Channel.Clear();
        using var cancellation = new CancellationTokenSource();

        var run = node.Client.RunAsync(cancellation.Token);
        await cancellation.CancelAsync();
        var ends = await node.Channel.TakeAsync<EndQuorumEpochRequest>(2, Timeout);

        Assert.Equal([2, 3], ends.Select(static e => e.Destination).Order());
        foreach (var (_, request, respond) in ends)
        {
            var partition = Assert.Single(Assert.Single(request.Topics).Partitions);
            Assert.Equal((1, 1), (partition.LeaderId, partition.LeaderEpoch));
            Assert.Equal([3, 2], partition.PreferredCandidates.Select(static c => c.CandidateId));
            Assert.Equal([3, 2], partition.PreferredSuccessors);
            respond(new EndQuorumEpochResponse
            {
                Topics =
                [
                    new EndQuorumEpochResponse.TopicData
                    {
                        TopicName = MetadataTopicPartition.TopicName,
                        Partitions = [new EndQuorumEpochResponse.PartitionData { LeaderId = 1, LeaderEpoch = 1 }],
                    },
                ],
            });
        }

        Assert.False(run.IsCompleted);
        var answered = new TaskCompletionSource<IKafkaMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Client.HandleRequest(RaftMessages.BeginQuorumEpoch(leaderId: 3, epoch: 2), answered.SetResult);

        await run.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        Assert.True(node.Client.IsShutdownComplete);
        Assert.Equal(new LeaderAndEpoch(3, 2), node.Client.LeaderAndEpoch);
        Assert.IsType<BeginQuorumEpochResponse>(await answered.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RunAsync_CancelledWhileFollowing_StopsAtOnce()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        node.Request(RaftMessages.BeginQuorumEpoch(leaderId: 2, epoch: 1));
        using var cancellation = new CancellationTokenSource();

        var run = node.Client.RunAsync(cancellation.Token);
        await cancellation.CancelAsync();

        await run.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        Assert.Empty(node.Channel.Take<EndQuorumEpochRequest>());
    }

    [Fact]
    public async Task RunAsync_Request_IsAnsweredWithoutTheClockMoving()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        using var cancellation = new CancellationTokenSource();
        var run = node.Client.RunAsync(cancellation.Token);
        var answered = new TaskCompletionSource<IKafkaMessage>(TaskCreationOptions.RunContinuationsAsynchronously);

        node.Client.HandleRequest(RaftMessages.Vote(candidateId: 2, epoch: 1, lastEpoch: 0, endOffset: 0), answered.SetResult);

        var answer = Assert.IsType<VoteResponse>(await answered.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken));
        Assert.True(RaftMessages.Single(answer).VoteGranted);
        await cancellation.CancelAsync();
        await run.WaitAsync(Timeout, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task RunAsync_ElectionTimeout_FiresWhenTheInjectedClockPassesIt()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        using var cancellation = new CancellationTokenSource();
        var armed = node.Time.NextArmedAsync();
        var run = node.Client.RunAsync(cancellation.Token);
        await armed.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        Assert.Empty(node.Channel.Take<VoteRequest>());

        node.Time.Advance(TimeSpan.FromMilliseconds(2_000));

        var preVotes = await node.Channel.TakeAsync<VoteRequest>(2, Timeout);
        Assert.All(preVotes, static v => Assert.True(PreVoteField.IsPreVote(RaftMessages.Single(v.Request))));
        await cancellation.CancelAsync();
        await run.WaitAsync(Timeout, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task RunAsync_Append_IsCommittedAndHandedToListenersWithoutPolling()
    {
        using var node = new RaftNodeFixture(1, [1]);
        var committed = new TaskCompletionSource<RaftBatch>(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Client.Register(new CallbackListener(committed));
        node.Start();
        using var cancellation = new CancellationTokenSource();
        var run = node.Client.RunAsync(cancellation.Token);

        var offset = node.Client.ScheduleAtomicAppend(1, RaftMessages.Records("a"));

        var batch = await committed.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        Assert.Equal((1L, 1L), (offset, batch.LastOffset));
        await cancellation.CancelAsync();
        await run.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        Assert.True(node.Client.IsShutdownComplete);
    }

    [Fact]
    public async Task RunAsync_BeforeInitialize_Throws()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);

        await Assert.ThrowsAsync<InvalidOperationException>(() => node.Client.RunAsync(CancellationToken.None));
    }

    private sealed class CallbackListener(TaskCompletionSource<RaftBatch> committed) : IRaftListener
    {
        public void HandleLoadSnapshot(RaftSnapshot snapshot)
        {
        }

        public void HandleCommit(RaftBatch batch)
        {
            // The leader's LeaderChange control batch comes first, with no records.
            if (batch.Records.Count > 0)
            {
                committed.TrySetResult(batch);
            }
        }

        public void HandleLeaderChange(LeaderAndEpoch leader)
        {
        }
    }
}
