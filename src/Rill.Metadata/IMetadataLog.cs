namespace Rill.Metadata;

/// <summary>
/// The ordered, durable log of metadata records. Single-node Rill keeps it in a local file; the Raft quorum
/// replaces it with a replicated log behind the same seam.
/// </summary>
public interface IMetadataLog : IDisposable
{
    /// <summary>Every committed batch in order, as appended; called once at start-up.</summary>
    IEnumerable<MetadataBatch> ReadAll();

    /// <summary>
    /// Appends a batch atomically and durably; returns the offset of its last record. Registered listeners are told
    /// of the batch once it is committed, before this returns on a single-node log.
    /// </summary>
    long Append(IReadOnlyList<ApiMessageAndVersion> records);

    /// <summary>Adds a listener for batches committed from now on; what <see cref="ReadAll"/> returned is not repeated.</summary>
    void Register(IMetadataLogListener listener);
}

/// <summary>Records appended together; <see cref="LastOffset"/> is the offset of the last one.</summary>
public sealed record MetadataBatch(long LastOffset, IReadOnlyList<ApiMessageAndVersion> Records);
