using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>
/// Creates topics with a partition count and replication factor or explicit replica assignments, and config
/// overrides, or only validates them. The controller decides and validates everything; v5+ answers carry the resulting
/// configs, as Kafka's do (older versions do not encode them).
/// </summary>
public sealed class CreateTopicsHandler : ApiHandler<CreateTopicsRequest>
{
    private const short MinimumVersion = 2;

    private readonly IControllerClient _controller;

    public CreateTopicsHandler(IControllerClient controller)
    {
        _controller = controller;
    }

    public override short MinVersion => MinimumVersion;

    protected override async ValueTask<ApiResponse> HandleAsync(RequestContext context, CreateTopicsRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Of(await _controller.CreateTopicsAsync(request, cancellationToken).ConfigureAwait(false));
}
