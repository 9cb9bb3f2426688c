namespace Rill.Metadata;

/// <summary>
/// The ordered, durable log of metadata records. Single-node Rill keeps it in a local file; the Raft quorum
/// replaces it with a replicated log behind the same seam.
/// </summary>
public interface IMetadataLog : IDisposable
{
    /// <summary>Every committed batch in order, as appended; called once at start-up.</summary>
    IEnumerable<MetadataBatch> ReadAll();

    /// <summary>Appends a batch atomically and durably; returns the offset of its last record.</summary>
    long Append(IReadOnlyList<ApiMessageAndVersion> records);
}

/// <summary>Records appended together; <see cref="LastOffset"/> is the offset of the last one.</summary>
public sealed record MetadataBatch(long LastOffset, IReadOnlyList<ApiMessageAndVersion> Records);
