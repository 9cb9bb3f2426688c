using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rill.Common;
using Rill.Config;
using Rill.Metadata;
using Rill.TestKit;

namespace Rill.Server.Tests;

/// <summary>
/// The broker's side of its lifecycle against an in-process controller on a fake clock: a start waits until the broker
/// is unfenced, heartbeats keep its session, a second live process with its node.id or a node of another cluster
/// cannot start, a restart waits out the old session, and a controlled shutdown moves its leaderships first.
/// </summary>
public sealed class BrokerLifecycleManagerTests : IDisposable
{
    private const string ClusterId = "lifecycle-tests";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);
    private static readonly BrokerEndpoint[] Endpoints = [new("PLAINTEXT", "localhost", 9092, 0)];

    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
    private readonly FileMetadataLog _log;
    private readonly MetadataLoader _loader;
    private readonly MetadataController _controller;
    private readonly LocalControllerClient _client;

    public BrokerLifecycleManagerTests()
    {
        _log = new FileMetadataLog(_dir.Path, NullLogger.Instance);
        _loader = new MetadataLoader(NullLogger<MetadataLoader>.Instance);
        _loader.Load(_log);
        _controller = new MetadataController(_log, _loader.Image, Config(1), ClusterId, _time, new Random(7), NullLogger<MetadataController>.Instance);
        _client = new LocalControllerClient(_controller);
    }

    public void Dispose()
    {
        _controller.Dispose();
        _log.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task AStart_ReturnsUnfenced_AndHeartbeatsKeepTheSessionPastItsTimeout()
    {
        await using var broker = Manager(1);
        await broker.StartAsync(Endpoints, CancellationToken.None);
        Assert.Equal((BrokerLifecycleState.Running, false, true), (broker.State, broker.IsFenced, broker.IsCaughtUp));
        Assert.False(_loader.Image.Brokers[1].Fenced);
        Assert.Equal(broker.IncarnationId, _loader.Image.Brokers[1].IncarnationId);

        await AdvanceAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(await _controller.FenceStaleBrokersAsync(CancellationToken.None));
        Assert.False(_loader.Image.Brokers[1].Fenced);
    }

    [Fact]
    public async Task ASecondLiveProcessWithTheNodeId_FailsToStart_NamingTheSetting()
    {
        await using var first = Manager(1);
        await first.StartAsync(Endpoints, CancellationToken.None);
        await using var second = Manager(1);
        var start = second.StartAsync(Endpoints, CancellationToken.None);

        await Eventually.UntilAsync(() => Advance(start), Timeout, "the second start to end");
        var refused = await Assert.ThrowsAnyAsync<KafkaException>(() => start);
        Assert.Equal(ErrorCode.DuplicateBrokerRegistration, refused.ErrorCode);
        Assert.Contains("node.id=1", refused.Message, StringComparison.Ordinal);
        Assert.Equal(first.IncarnationId, _loader.Image.Brokers[1].IncarnationId);
        Assert.False(_loader.Image.Brokers[1].Fenced);
    }

    [Fact]
    public async Task ARestartAfterTheProcessDied_RegistersOnceTheOldSessionExpired()
    {
        var dead = Manager(1);
        await dead.StartAsync(Endpoints, CancellationToken.None);
        var oldEpoch = dead.BrokerEpoch;
        await dead.DisposeAsync();

        await using var restarted = Manager(1);
        var start = restarted.StartAsync(Endpoints, CancellationToken.None);
        await Eventually.UntilAsync(() => Advance(start), Timeout, "the restart to be unfenced");
        await start;
        Assert.True(restarted.BrokerEpoch > oldEpoch);
        Assert.Equal(restarted.IncarnationId, _loader.Image.Brokers[1].IncarnationId);
        Assert.False(_loader.Image.Brokers[1].Fenced);
    }

    [Fact]
    public async Task ANodeOfAnotherCluster_FailsToStart()
    {
        await using var broker = Manager(1, clusterId: "another-cluster");
        var refused = await Assert.ThrowsAnyAsync<KafkaException>(() => broker.StartAsync(Endpoints, CancellationToken.None));
        Assert.Equal(ErrorCode.InconsistentClusterId, refused.ErrorCode);
        Assert.Empty(_loader.Image.Brokers);
    }

    [Fact]
    public async Task AControlledShutdown_MovesTheLeadershipsAway_ThenTheControllerFencesTheBroker()
    {
        await using var one = Manager(1);
        await using var two = Manager(2);
        await one.StartAsync(Endpoints, CancellationToken.None);
        await two.StartAsync(Endpoints, CancellationToken.None);
        var topic = new Protocol.Messages.CreateTopicsRequest.CreatableTopic
        {
            Name = "t",
            NumPartitions = -1,
            ReplicationFactor = -1,
            Assignments = [new() { PartitionIndex = 0, BrokerIds = [1, 2] }],
        };
        await _controller.CreateTopicsAsync(new Protocol.Messages.CreateTopicsRequest { Topics = [topic] }, CancellationToken.None);

        var shutdown = one.ControlledShutdownAsync();
        await Eventually.UntilAsync(() => Advance(shutdown), Timeout, "the controlled shutdown to be granted");
        await shutdown;
        Assert.Equal(BrokerLifecycleState.ShuttingDown, one.State);
        var partition = _loader.Image.Topics["t"].Partitions[0];
        Assert.Equal(2, partition.Leader);
        Assert.Equal([2], partition.Isr);
        Assert.True(_loader.Image.Brokers[1].Fenced);
        Assert.False(_loader.Image.Brokers[2].Fenced);
    }

    private static ServerConfig Config(int nodeId) => ServerConfig.Load(null, new Dictionary<string, string>(), [$"node.id={nodeId}"]);

    private BrokerLifecycleManager Manager(int nodeId, string clusterId = ClusterId) =>
        new(Config(nodeId), clusterId, _client, _loader, _time, NullLogger<BrokerLifecycleManager>.Instance);

    // Moves the fake clock on by one step each poll, so that the managers' timers fire, until the task has ended.
    private bool Advance(Task task)
    {
        if (task.IsCompleted)
        {
            return true;
        }

        _time.Advance(Step);
        return false;
    }

    // Lets fake time pass in steps, with real time between them for the timers' work to run.
    private Task AdvanceAsync(TimeSpan total)
    {
        var until = _time.GetUtcNow() + total;
        return Eventually.UntilAsync(
            () =>
            {
                if (_time.GetUtcNow() >= until)
                {
                    return true;
                }

                _time.Advance(Step);
                return false;
            },
            Timeout,
            "time to pass");
    }
}
