using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>Deletes topics by name (v0-v5) or by name or id (v6+); their logs go with the next metadata image.</summary>
public sealed class DeleteTopicsHandler : ApiHandler<DeleteTopicsRequest>
{
    private const short MinimumVersion = 1;

    private readonly IControllerClient _controller;

    public DeleteTopicsHandler(IControllerClient controller)
    {
        _controller = controller;
    }

    public override short MinVersion => MinimumVersion;

    protected override async ValueTask<ApiResponse> HandleAsync(RequestContext context, DeleteTopicsRequest request, CancellationToken cancellationToken)
    {
        // The controller takes the v6 shape; names of older versions become topics named and without an id.
        if (context.ApiVersion < 6)
        {
            request.Topics = [.. request.TopicNames.Select(name => new DeleteTopicsRequest.DeleteTopicState { Name = name })];
            request.TopicNames = [];
        }

        return ApiResponse.Of(await _controller.DeleteTopicsAsync(request, cancellationToken).ConfigureAwait(false));
    }
}
