using System.Collections.Immutable;

namespace Rill.Raft;

/// <summary>
/// A Raft node's settings, with Kafka's <c>controller.quorum.*</c> defaults. <see cref="NodeId"/> votes when it is in
/// <see cref="Voters"/>; otherwise the node is an observer that only fetches (a broker-only node).
/// </summary>
public sealed record RaftConfig(int NodeId, IReadOnlyList<int> Voters, string ClusterId)
{
    /// <summary>controller.quorum.election.timeout.ms: how long a voter waits without a leader before it stands, randomised up to twice this.</summary>
    public int ElectionTimeoutMs { get; init; } = 1_000;

    /// <summary>controller.quorum.election.backoff.max.ms: the most a candidate that lost waits before standing again.</summary>
    public int ElectionBackoffMaxMs { get; init; } = 1_000;

    /// <summary>controller.quorum.fetch.timeout.ms: a follower that has not fetched successfully for this long stands for election.</summary>
    public int FetchTimeoutMs { get; init; } = 2_000;

    /// <summary>controller.quorum.request.timeout.ms.</summary>
    public int RequestTimeoutMs { get; init; } = 2_000;

    /// <summary>controller.quorum.retry.backoff.ms.</summary>
    public int RetryBackoffMs { get; init; } = 20;

    /// <summary>controller.quorum.append.linger.ms: how long the leader gathers appends into one batch.</summary>
    public int AppendLingerMs { get; init; } = 25;

    /// <summary>How long the leader holds a fetch that finds nothing new (Kafka's fetch max wait for the quorum).</summary>
    public int FetchMaxWaitMs { get; init; } = 500;

    /// <summary>The most bytes one Fetch or FetchSnapshot answer carries.</summary>
    public int FetchMaxBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>
    /// Each voter's endpoint, when the node knows them (controller.quorum.voters); used only to tell peers and quorum
    /// tools where the leader listens. Empty is valid: the RPCs then carry no endpoints.
    /// </summary>
    public IReadOnlyDictionary<int, RaftEndpoint> VoterEndpoints { get; init; } = ImmutableDictionary<int, RaftEndpoint>.Empty;

    public bool IsVoter => Voters.Contains(NodeId);
}
