namespace Rill.Coordinator;

/// <summary>
/// The <c>__consumer_offsets</c> partitions as the coordinator sees them. Implemented by the server on top of
/// its partition logs; <c>partition</c> is always an index of that topic.
/// </summary>
public interface ICoordinatorLog
{
    /// <summary>
    /// Appends one v2 record batch (uncompressed, CreateTime, built by the coordinator) and completes once it is
    /// committed (single node: once written). A failure carries the storage's code (NOT_LEADER_OR_FOLLOWER,
    /// KAFKA_STORAGE_ERROR, ...); the coordinator maps it to the answer Kafka gives and changes no state.
    /// </summary>
    ValueTask<CoordinatorAppendResult> AppendAsync(int partition, ReadOnlyMemory<byte> batch, CancellationToken cancellationToken);

    /// <summary>
    /// Reads whole batches from <paramref name="offset"/> (about <paramref name="maxBytes"/>, at least one batch) up to
    /// the high watermark, to load the partition. Empty records mean the end was reached. The caller disposes the result.
    /// </summary>
    CoordinatorReadResult Read(int partition, long offset, int maxBytes);
}
