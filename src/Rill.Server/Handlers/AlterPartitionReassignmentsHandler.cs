using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>Starts, changes or cancels partition reassignments; the active controller decides and records them.</summary>
public sealed class AlterPartitionReassignmentsHandler : ApiHandler<AlterPartitionReassignmentsRequest>
{
    private readonly IControllerClient _controller;

    public AlterPartitionReassignmentsHandler(IControllerClient controller)
    {
        _controller = controller;
    }

    protected override async ValueTask<ApiResponse> HandleAsync(
        RequestContext context,
        AlterPartitionReassignmentsRequest request,
        CancellationToken cancellationToken) =>
        ApiResponse.Of(await _controller.AlterPartitionReassignmentsAsync(request, cancellationToken).ConfigureAwait(false));
}
