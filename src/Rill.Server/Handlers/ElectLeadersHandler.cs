using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>
/// Preferred or unclean leader election for named partitions (or all of them), decided by the active controller and
/// answered once the new leaders are committed, as Kafka's brokers forward it.
/// </summary>
public sealed class ElectLeadersHandler : ApiHandler<ElectLeadersRequest>
{
    private readonly IControllerClient _controller;

    public ElectLeadersHandler(IControllerClient controller)
    {
        _controller = controller;
    }

    protected override async ValueTask<ApiResponse> HandleAsync(RequestContext context, ElectLeadersRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Of(await _controller.ElectLeadersAsync(request, cancellationToken).ConfigureAwait(false));
}
