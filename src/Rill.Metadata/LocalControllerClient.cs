using Rill.Protocol.Messages;

namespace Rill.Metadata;

/// <summary>The controller client of a combined node: the active controller runs in this process.</summary>
public sealed class LocalControllerClient : IControllerClient
{
    private readonly MetadataController _controller;

    public LocalControllerClient(MetadataController controller)
    {
        _controller = controller;
    }

    public async Task<BrokerRegistrationResponse> RegisterBrokerAsync(BrokerRegistrationRequest request, CancellationToken cancellationToken) =>
        (await _controller.RegisterBrokerAsync(request, cancellationToken).ConfigureAwait(false)).Response;

    public async Task<BrokerHeartbeatResponse> BrokerHeartbeatAsync(BrokerHeartbeatRequest request, CancellationToken cancellationToken) =>
        (await _controller.BrokerHeartbeatAsync(request, cancellationToken).ConfigureAwait(false)).Response;

    public async Task<AlterPartitionResponse> AlterPartitionAsync(AlterPartitionRequest request, CancellationToken cancellationToken) =>
        (await _controller.AlterPartitionAsync(request, cancellationToken).ConfigureAwait(false)).Response;

    public async Task<ElectLeadersResponse> ElectLeadersAsync(ElectLeadersRequest request, CancellationToken cancellationToken) =>
        (await _controller.ElectLeadersAsync(request, cancellationToken).ConfigureAwait(false)).Response;

    public async Task<AlterPartitionReassignmentsResponse> AlterPartitionReassignmentsAsync(
        AlterPartitionReassignmentsRequest request,
        CancellationToken cancellationToken) =>
        (await _controller.AlterPartitionReassignmentsAsync(request, cancellationToken).ConfigureAwait(false)).Response;

    public async Task<ListPartitionReassignmentsResponse> ListPartitionReassignmentsAsync(
        ListPartitionReassignmentsRequest request,
        CancellationToken cancellationToken) =>
        (await _controller.ListPartitionReassignmentsAsync(request, cancellationToken).ConfigureAwait(false)).Response;

    public async Task<CreateTopicsResponse> CreateTopicsAsync(CreateTopicsRequest request, CancellationToken cancellationToken) =>
        (await _controller.CreateTopicsAsync(request, cancellationToken).ConfigureAwait(false)).Response;

    public async Task<CreatePartitionsResponse> CreatePartitionsAsync(CreatePartitionsRequest request, CancellationToken cancellationToken) =>
        (await _controller.CreatePartitionsAsync(request, cancellationToken).ConfigureAwait(false)).Response;

    public async Task<DeleteTopicsResponse> DeleteTopicsAsync(DeleteTopicsRequest request, CancellationToken cancellationToken) =>
        (await _controller.DeleteTopicsAsync(request, cancellationToken).ConfigureAwait(false)).Response;

    public async Task<AlterConfigsResponse> AlterConfigsAsync(AlterConfigsRequest request, CancellationToken cancellationToken) =>
        (await _controller.AlterConfigsAsync(request, cancellationToken).ConfigureAwait(false)).Response;

    public async Task<IncrementalAlterConfigsResponse> IncrementalAlterConfigsAsync(IncrementalAlterConfigsRequest request, CancellationToken cancellationToken) =>
        (await _controller.IncrementalAlterConfigsAsync(request, cancellationToken).ConfigureAwait(false)).Response;
}
