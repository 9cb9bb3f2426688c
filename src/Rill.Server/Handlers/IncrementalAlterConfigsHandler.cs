using Rill.Common;
using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Server.Configuration;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>Sets, deletes, appends to or subtracts from topic configs; applied live to the topic's partitions.</summary>
public sealed class IncrementalAlterConfigsHandler : ApiHandler<IncrementalAlterConfigsRequest>
{
    private readonly MetadataController _controller;
    private readonly ServerConfig _config;

    public IncrementalAlterConfigsHandler(MetadataController controller, ServerConfig config)
    {
        _controller = controller;
        _config = config;
    }

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, IncrementalAlterConfigsRequest request, CancellationToken cancellationToken)
    {
        var response = new IncrementalAlterConfigsResponse();
        foreach (var resource in request.Resources)
        {
            var result = new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse
            {
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
            };
            response.Responses.Add(result);
            var image = _controller.Image;
            var (error, message) = TopicConfigChanges.CheckResource(image, resource.ResourceType, resource.ResourceName);
            var changes = new List<KeyValuePair<string, string?>>();
            if (error == ErrorCode.None)
            {
                (error, message, changes) = TopicConfigChanges.Incremental(
                    _config,
                    image.ConfigsOf(ConfigResourceType.Topic, resource.ResourceName),
                    resource.Configs.Select(c => (c.Name, c.ConfigOperation, c.Value)));
            }

            if (error == ErrorCode.None && !request.ValidateOnly)
            {
                _controller.AlterConfigs(new ConfigResource(ConfigResourceType.Topic, resource.ResourceName), changes);
            }

            result.ErrorCode = (short)error;
            result.ErrorMessage = message;
        }

        return ValueTask.FromResult(ApiResponse.Of(response));
    }
}
