using Microsoft.Extensions.Logging.Abstractions;
using Rill.Protocol;

namespace Rill.Raft.Tests;

/// <summary>One Raft client driven by hand: a fake clock, an in-memory log and quorum state, and a channel the test answers.</summary>
internal sealed class RaftNodeFixture : IDisposable
{
    public const string ClusterId = "rill-test-cluster";

    public RaftNodeFixture(int nodeId, int[] voters, Func<RaftConfig, RaftConfig>? configure = null, int seed = 1)
    {
        var config = new RaftConfig(nodeId, voters, ClusterId)
        {
            ElectionTimeoutMs = 1_000,
            ElectionBackoffMaxMs = 1_000,
            FetchTimeoutMs = 2_000,
            RequestTimeoutMs = 2_000,
            RetryBackoffMs = 20,
            AppendLingerMs = 0,
            FetchMaxWaitMs = 500,
        };
        Config = configure is null ? config : configure(config);
        Seed = seed;
        Client = CreateClient();
    }

    public RaftConfig Config { get; }

    public int Seed { get; }

    public TestClock Time { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));

    public MemoryRaftLog Log { get; } = new();

    public MemoryQuorumStateStore Store { get; } = new();

    public TestChannel Channel { get; } = new();

    public RecordingListener Listener { get; private set; } = new();

    public KafkaRaftClient Client { get; private set; }

    public void Start()
    {
        Client.Register(Listener);
        Client.Initialize();
    }

    public TimeSpan Poll() => Client.Poll();

    public void Advance(int milliseconds)
    {
        Time.Advance(TimeSpan.FromMilliseconds(milliseconds));
        Client.Poll();
    }

    /// <summary>Hands <paramref name="request"/> to the client, polls, and returns the answer (null when the client holds it).</summary>
    public IKafkaMessage? Request(IApiMessage request)
    {
        IKafkaMessage? answer = null;
        var answers = 0;
        Client.HandleRequest(request, response =>
        {
            answer = response;
            answers++;
        });
        Client.Poll();
        Assert.True(answers <= 1, "a request was answered twice");
        return answer;
    }

    public T Request<T>(IApiMessage request)
        where T : class, IKafkaMessage =>
        Assert.IsType<T>(Request(request));

    /// <summary>A restart: a new client over the same log and quorum state, after a hard kill when <paramref name="crash"/>.</summary>
    public void Restart(bool crash)
    {
        Client.Dispose();
        if (crash)
        {
            Log.Crash();
        }

        Channel.Clear();
        Listener = new RecordingListener();
        Client = CreateClient();
        Start();
    }

    public void Dispose() => Client.Dispose();

    private KafkaRaftClient CreateClient() =>
        new(Config, Log, Store, Channel, Time, new Random(Seed), NullLogger<KafkaRaftClient>.Instance);
}
