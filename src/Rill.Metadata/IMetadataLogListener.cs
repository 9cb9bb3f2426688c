namespace Rill.Metadata;

/// <summary>
/// Told of each batch once it is committed to the metadata log, in log order (kafka: RaftClient.Listener.handleCommit).
/// On one node an append is a commit; with a quorum it is when a majority has the batch.
/// </summary>
public interface IMetadataLogListener
{
    void HandleCommit(MetadataBatch batch);
}
