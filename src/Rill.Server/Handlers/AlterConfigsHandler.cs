using Rill.Config;
using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>
/// The older, whole-replacement form of config changes: the request's configs become the topic's overrides, or the
/// broker resource's whole dynamic set. The controller decides; resources it does not take are answered here.
/// </summary>
public sealed class AlterConfigsHandler : ApiHandler<AlterConfigsRequest>
{
    private readonly IControllerClient _controller;
    private readonly ServerConfig _config;

    public AlterConfigsHandler(IControllerClient controller, ServerConfig config)
    {
        _controller = controller;
        _config = config;
    }

    protected override async ValueTask<ApiResponse> HandleAsync(RequestContext context, AlterConfigsRequest request, CancellationToken cancellationToken)
    {
        var response = new AlterConfigsResponse();
        var forwarded = new AlterConfigsRequest { ValidateOnly = request.ValidateOnly };
        var slots = new List<int>();
        foreach (var resource in request.Resources)
        {
            var result = new AlterConfigsResponse.AlterConfigsResourceResponse
            {
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
            };
            response.Responses.Add(result);
            if (ConfigResources.Preprocess(_config, resource.ResourceType, resource.ResourceName) is var (error, message))
            {
                result.ErrorCode = (short)error;
                result.ErrorMessage = message;
                continue;
            }

            slots.Add(response.Responses.Count - 1);
            forwarded.Resources.Add(resource);
        }

        if (forwarded.Resources.Count > 0)
        {
            var decided = await _controller.AlterConfigsAsync(forwarded, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < slots.Count; i++)
            {
                response.Responses[slots[i]] = decided.Responses[i];
            }
        }

        return ApiResponse.Of(response);
    }
}
