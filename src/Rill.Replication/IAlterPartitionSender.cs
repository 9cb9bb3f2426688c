using Rill.Protocol.Messages;

namespace Rill.Replication;

/// <summary>
/// How a partition leader asks the active controller to change a partition's ISR (kafka: <c>AlterPartitionManager</c>):
/// an AlterPartition request (v3: topic ids, the new ISR with each member's broker epoch, the leader epoch and the
/// partition epoch it was computed from) that completes with the controller's response. The node wires it to the
/// controller, in this process or over the wire; the replica manager never waits on it while holding a partition.
/// </summary>
public interface IAlterPartitionSender
{
    /// <exception cref="IOException">The controller could not be reached; the change is tried again after a backoff.</exception>
    Task<AlterPartitionResponse> SendAsync(AlterPartitionRequest request, CancellationToken cancellationToken);
}
