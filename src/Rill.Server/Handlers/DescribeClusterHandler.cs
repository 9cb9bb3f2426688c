using Rill.Common;
using Rill.Config;
using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>The cluster id, the active controller and the brokers' endpoints on the request's listener.</summary>
public sealed class DescribeClusterHandler : ApiHandler<DescribeClusterRequest>
{
    private const sbyte BrokerEndpoints = 1;

    private readonly IMetadataView _controller;
    private readonly ServerConfig _config;
    private readonly string _clusterId;

    public DescribeClusterHandler(IMetadataView controller, ServerConfig config, string clusterId)
    {
        _controller = controller;
        _config = config;
        _clusterId = clusterId;
    }

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, DescribeClusterRequest request, CancellationToken cancellationToken)
    {
        var response = new DescribeClusterResponse
        {
            ClusterId = _clusterId,
            ControllerId = _config.NodeId,
            EndpointType = request.EndpointType,
        };
        if (context.ApiVersion >= 1 && request.EndpointType != BrokerEndpoints)
        {
            response.ErrorCode = (short)ErrorCode.UnsupportedEndpointType;
            response.ErrorMessage = $"Endpoint type {request.EndpointType} is not served; this broker describes brokers (1).";
            return ValueTask.FromResult(ApiResponse.Of(response));
        }

        foreach (var broker in _controller.Image.Brokers.Values.Where(b => !b.Fenced).OrderBy(b => b.BrokerId))
        {
            if (broker.Endpoints.FirstOrDefault(e => e.Name == context.Connection.ListenerName) is { } endpoint)
            {
                response.Brokers.Add(new DescribeClusterResponse.DescribeClusterBroker
                {
                    BrokerId = broker.BrokerId,
                    Host = endpoint.Host,
                    Port = endpoint.Port,
                    Rack = broker.Rack,
                });
            }
        }

        return ValueTask.FromResult(ApiResponse.Of(response));
    }
}
