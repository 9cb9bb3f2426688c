using Rill.Config;
using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Server.Network;
using Rill.Server.Observability;

namespace Rill.Server.Handlers;

/// <summary>
/// Sets, deletes, appends to or subtracts from topic configs and dynamic broker configs (the cluster default or this
/// broker's own), applied live to the partitions they concern; sets and deletes logger levels (BROKER_LOGGER).
/// </summary>
public sealed class IncrementalAlterConfigsHandler : ApiHandler<IncrementalAlterConfigsRequest>
{
    private readonly MetadataController _controller;
    private readonly ServerConfig _config;
    private readonly LogLevels? _logLevels;

    public IncrementalAlterConfigsHandler(MetadataController controller, ServerConfig config, LogLevels? logLevels)
    {
        _controller = controller;
        _config = config;
        _logLevels = logLevels;
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
            var operations = resource.Configs.Select(c => (c.Name, c.ConfigOperation, c.Value));
            var (error, message) = (ConfigResourceType)resource.ResourceType switch
            {
                ConfigResourceType.Topic => TopicConfigChanges.Alter(
                    _controller,
                    _config.NodeId,
                    resource.ResourceName,
                    request.ValidateOnly,
                    (current, dynamic) => TopicConfigChanges.Incremental(_config, dynamic, current, operations)),
                ConfigResourceType.Broker => BrokerConfigChanges.Alter(
                    _controller,
                    _config,
                    resource.ResourceName,
                    request.ValidateOnly,
                    (current, dynamic) => BrokerConfigChanges.Incremental(_config, dynamic, resource.ResourceName, current, operations)),
                ConfigResourceType.BrokerLogger => BrokerLoggerConfigs.Alter(_logLevels, _config.NodeId, resource.ResourceName, request.ValidateOnly, operations),
                _ => TopicConfigChanges.Unsupported(resource.ResourceType),
            };
            result.ErrorCode = (short)error;
            result.ErrorMessage = message;
        }

        return ValueTask.FromResult(ApiResponse.Of(response));
    }
}
