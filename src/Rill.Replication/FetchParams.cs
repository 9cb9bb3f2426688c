namespace Rill.Replication;

/// <summary>A Fetch request's request-wide settings.</summary>
/// <param name="ReplicaId">The fetching follower's broker id, or -1 for a consumer.</param>
/// <param name="MaxWaitMs">How long to wait for <paramref name="MinBytes"/>.</param>
/// <param name="MinBytes">Answer as soon as this many record bytes are there.</param>
/// <param name="MaxBytes">Most record bytes in the answer (the first batch is whole even when larger).</param>
/// <param name="Isolation">How far the fetch reads; followers always read to the log end.</param>
public sealed record FetchParams(int ReplicaId, int MaxWaitMs, int MinBytes, int MaxBytes, FetchIsolation Isolation)
{
    public bool IsFromFollower => ReplicaId >= 0;

    /// <summary>Fetch v15+: the follower's broker epoch, to fence a broker that restarted since; -1 = not given.</summary>
    public long ReplicaEpoch { get; init; } = -1;
}
