using Rill.Protocol.Messages;

namespace Rill.Metadata;

/// <summary>
/// How a broker asks the active controller for a metadata change: each call carries a request value and completes
/// with the controller's response once the change is committed (or refused). In combined mode the controller runs in
/// this process (<see cref="LocalControllerClient"/>); a broker without one forwards the same requests over the wire,
/// so every argument here is a message that can travel, never a callback.
/// </summary>
public interface IControllerClient
{
    Task<BrokerRegistrationResponse> RegisterBrokerAsync(BrokerRegistrationRequest request, CancellationToken cancellationToken);

    Task<BrokerHeartbeatResponse> BrokerHeartbeatAsync(BrokerHeartbeatRequest request, CancellationToken cancellationToken);

    Task<AlterPartitionResponse> AlterPartitionAsync(AlterPartitionRequest request, CancellationToken cancellationToken);

    Task<ElectLeadersResponse> ElectLeadersAsync(ElectLeadersRequest request, CancellationToken cancellationToken);

    Task<AlterPartitionReassignmentsResponse> AlterPartitionReassignmentsAsync(AlterPartitionReassignmentsRequest request, CancellationToken cancellationToken);

    Task<ListPartitionReassignmentsResponse> ListPartitionReassignmentsAsync(ListPartitionReassignmentsRequest request, CancellationToken cancellationToken);

    Task<CreateTopicsResponse> CreateTopicsAsync(CreateTopicsRequest request, CancellationToken cancellationToken);

    Task<CreatePartitionsResponse> CreatePartitionsAsync(CreatePartitionsRequest request, CancellationToken cancellationToken);

    Task<DeleteTopicsResponse> DeleteTopicsAsync(DeleteTopicsRequest request, CancellationToken cancellationToken);

    Task<AlterConfigsResponse> AlterConfigsAsync(AlterConfigsRequest request, CancellationToken cancellationToken);

    Task<IncrementalAlterConfigsResponse> IncrementalAlterConfigsAsync(IncrementalAlterConfigsRequest request, CancellationToken cancellationToken);
}
