namespace Rill.Metadata;

/// <summary>
/// The metadata log as the active controller of one term writes it: the Raft quorum in a node (kafka: RaftClient's
/// scheduleAtomicAppend and the commit that follows). An append completes once the quorum has committed the batch and
/// this node's <see cref="MetadataLoader"/> has applied it, so that what the controller answers this node already serves.
/// </summary>
public interface IMetadataLog
{
    /// <summary>
    /// Appends the records as one batch; completes with the offset of its last record once committed and applied.
    /// Throws <see cref="NotControllerException"/> when this node is no longer the active controller of its term.
    /// </summary>
    Task<long> AppendAsync(IReadOnlyList<ApiMessageAndVersion> records, CancellationToken cancellationToken);
}

/// <summary>Records committed together; <see cref="LastOffset"/> is the offset of the last one.</summary>
public sealed record MetadataBatch(long LastOffset, IReadOnlyList<ApiMessageAndVersion> Records);

/// <summary>This node stopped being the active controller (kafka: NotControllerException): the caller answers NOT_CONTROLLER.</summary>
public sealed class NotControllerException : Exception
{
    public NotControllerException(string message)
        : base(message)
    {
    }

    public NotControllerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
