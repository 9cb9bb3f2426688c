using Rill.Common;
using Rill.Config;
using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Server.Network;
using Rill.Server.Observability;

namespace Rill.Server.Handlers;

/// <summary>
/// Sets, deletes, appends to or subtracts from topic configs and dynamic broker configs (the cluster default or this
/// broker's own), decided by the controller and applied live to the partitions they concern; sets and deletes logger
/// levels (BROKER_LOGGER), which belong to this broker alone.
/// </summary>
public sealed class IncrementalAlterConfigsHandler : ApiHandler<IncrementalAlterConfigsRequest>
{
    private readonly IControllerClient _controller;
    private readonly ServerConfig _config;
    private readonly LogLevels? _logLevels;

    public IncrementalAlterConfigsHandler(IControllerClient controller, ServerConfig config, LogLevels? logLevels)
    {
        _controller = controller;
        _config = config;
        _logLevels = logLevels;
    }

    protected override async ValueTask<ApiResponse> HandleAsync(RequestContext context, IncrementalAlterConfigsRequest request, CancellationToken cancellationToken)
    {
        var response = new IncrementalAlterConfigsResponse();
        var forwarded = new IncrementalAlterConfigsRequest { ValidateOnly = request.ValidateOnly };
        var slots = new List<int>();
        foreach (var resource in request.Resources)
        {
            var result = new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse
            {
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
            };
            response.Responses.Add(result);
            (ErrorCode Error, string? Message)? local = (ConfigResourceType)resource.ResourceType == ConfigResourceType.BrokerLogger
                ? BrokerLoggerConfigs.Alter(
                    _logLevels,
                    _config.NodeId,
                    resource.ResourceName,
                    request.ValidateOnly,
                    resource.Configs.Select(c => (c.Name, c.ConfigOperation, c.Value)))
                : ConfigResources.Preprocess(_config, resource.ResourceType, resource.ResourceName);
            if (local is var (error, message))
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
            var decided = await _controller.IncrementalAlterConfigsAsync(forwarded, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < slots.Count; i++)
            {
                response.Responses[slots[i]] = decided.Responses[i];
            }
        }

        return ApiResponse.Of(response);
    }
}
