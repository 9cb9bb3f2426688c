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
            var (error, message) = TopicConfigChanges.Alter(
                _controller,
                resource.ResourceType,
                resource.ResourceName,
                request.ValidateOnly,
                current => TopicConfigChanges.Incremental(_config, current, resource.Configs.Select(c => (c.Name, c.ConfigOperation, c.Value))));
            result.ErrorCode = (short)error;
            result.ErrorMessage = message;
        }

        return ValueTask.FromResult(ApiResponse.Of(response));
    }
}
