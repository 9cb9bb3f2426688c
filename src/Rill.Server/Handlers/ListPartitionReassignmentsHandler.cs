using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>The partition reassignments in progress, as the active controller knows them.</summary>
public sealed class ListPartitionReassignmentsHandler : ApiHandler<ListPartitionReassignmentsRequest>
{
    private readonly IControllerClient _controller;

    public ListPartitionReassignmentsHandler(IControllerClient controller)
    {
        _controller = controller;
    }

    protected override async ValueTask<ApiResponse> HandleAsync(
        RequestContext context,
        ListPartitionReassignmentsRequest request,
        CancellationToken cancellationToken) =>
        ApiResponse.Of(await _controller.ListPartitionReassignmentsAsync(request, cancellationToken).ConfigureAwait(false));
}
