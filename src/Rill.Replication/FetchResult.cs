namespace Rill.Replication;

/// <summary>
/// A Fetch answer's partitions, in the order they were asked for, and the read buffers their records point
/// into. The holder disposes it once the response is written.
/// </summary>
public sealed class FetchResult : IDisposable
{
    private readonly List<IDisposable> _owned;

    internal FetchResult(FetchPartitionData[] partitions, List<IDisposable> owned, int totalBytes, bool anyError)
    {
        Partitions = partitions;
        _owned = owned;
        TotalBytes = totalBytes;
        AnyError = anyError;
    }

    public IReadOnlyList<FetchPartitionData> Partitions { get; }

    /// <summary>Record bytes over all partitions.</summary>
    public int TotalBytes { get; }

    /// <summary>A partition answered with an error code.</summary>
    public bool AnyError { get; }

    /// <summary>A follower's partition was answered with a diverging epoch: it answers at once, as an error does.</summary>
    public bool AnyDivergence { get; init; }

    public void Dispose()
    {
        foreach (var resource in _owned)
        {
            resource.Dispose();
        }

        _owned.Clear();
    }
}
