using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>Raises topics' partition counts; the controller places the new partitions' replicas or checks the given ones.</summary>
public sealed class CreatePartitionsHandler : ApiHandler<CreatePartitionsRequest>
{
    private readonly IControllerClient _controller;

    public CreatePartitionsHandler(IControllerClient controller)
    {
        _controller = controller;
    }

    protected override async ValueTask<ApiResponse> HandleAsync(RequestContext context, CreatePartitionsRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Of(await _controller.CreatePartitionsAsync(request, cancellationToken).ConfigureAwait(false));
}
