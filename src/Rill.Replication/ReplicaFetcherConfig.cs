using Rill.Config;

namespace Rill.Replication;

/// <summary>How followers fetch, from the broker config's <c>replica.fetch.*</c> keys (kafka: <c>RemoteLeaderEndPoint</c>).</summary>
/// <param name="LocalBrokerId">This broker: the replica id of its fetches.</param>
/// <param name="MaxWaitMs"><c>replica.fetch.wait.max.ms</c>: how long the leader may hold a fetch for <paramref name="MinBytes"/>.</param>
/// <param name="MinBytes"><c>replica.fetch.min.bytes</c>.</param>
/// <param name="PartitionMaxBytes"><c>replica.fetch.max.bytes</c>: per partition.</param>
/// <param name="ResponseMaxBytes"><c>replica.fetch.response.max.bytes</c>: per fetch.</param>
/// <param name="BackoffMs"><c>replica.fetch.backoff.ms</c>: the pause after a failed fetch or connection.</param>
/// <param name="RequestTimeoutMs">How long a fetch (its long poll included), ListOffsets or connection attempt may take before the connection is given up.</param>
public sealed record ReplicaFetcherConfig(
    int LocalBrokerId,
    int MaxWaitMs,
    int MinBytes,
    int PartitionMaxBytes,
    int ResponseMaxBytes,
    int BackoffMs,
    int RequestTimeoutMs)
{
    /// <summary>Kafka's <c>replica.socket.timeout.ms</c> default, which Rill does not make a key of its own.</summary>
    public const int DefaultRequestTimeoutMs = 30_000;

    public static ReplicaFetcherConfig From(ServerConfig config) => new(
        config.NodeId,
        config.ReplicaFetchWaitMaxMs,
        config.ReplicaFetchMinBytes,
        config.ReplicaFetchMaxBytes,
        config.ReplicaFetchResponseMaxBytes,
        config.ReplicaFetchBackoffMs,
        config.ReplicaFetchWaitMaxMs + DefaultRequestTimeoutMs);
}
