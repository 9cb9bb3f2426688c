using Rill.Config;
using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>
/// The older, whole-replacement form of config changes: the request's configs become the topic's overrides, or the
/// broker resource's whole dynamic set.
/// </summary>
public sealed class AlterConfigsHandler : ApiHandler<AlterConfigsRequest>
{
    private readonly MetadataController _controller;
    private readonly ServerConfig _config;

    public AlterConfigsHandler(MetadataController controller, ServerConfig config)
    {
        _controller = controller;
        _config = config;
    }

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, AlterConfigsRequest request, CancellationToken cancellationToken)
    {
        var response = new AlterConfigsResponse();
        foreach (var resource in request.Resources)
        {
            var result = new AlterConfigsResponse.AlterConfigsResourceResponse
            {
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
            };
            response.Responses.Add(result);
            var configs = resource.Configs.Select(c => (c.Name, c.Value));
            var (error, message) = (ConfigResourceType)resource.ResourceType switch
            {
                ConfigResourceType.Topic => TopicConfigChanges.Alter(
                    _controller,
                    _config.NodeId,
                    resource.ResourceName,
                    request.ValidateOnly,
                    (current, dynamic) => TopicConfigChanges.Replace(_config, dynamic, current, configs)),
                ConfigResourceType.Broker => BrokerConfigChanges.Alter(
                    _controller,
                    _config,
                    resource.ResourceName,
                    request.ValidateOnly,
                    (_, _) => BrokerConfigChanges.Replace(configs)),
                _ => TopicConfigChanges.Unsupported(resource.ResourceType),
            };
            result.ErrorCode = (short)error;
            result.ErrorMessage = message;
        }

        return ValueTask.FromResult(ApiResponse.Of(response));
    }
}
