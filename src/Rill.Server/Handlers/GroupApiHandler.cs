using System.Net;
using Rill.Coordinator;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>
/// The group APIs are the coordinator's: this handler decodes the request, hands it over with the
/// connection's facts, and sends back whatever the coordinator answers (a join may wait for the rebalance
/// without holding up the connection's later requests).
/// </summary>
public sealed class GroupApiHandler<TRequest, TResponse> : ApiHandler<TRequest>
    where TRequest : IKafkaMessage<TRequest>, IApiMessage
    where TResponse : IKafkaMessage
{
    private readonly Func<GroupRequestContext, TRequest, CancellationToken, ValueTask<TResponse>> _handle;
    private readonly short _minVersion;

    public GroupApiHandler(short minVersion, Func<GroupRequestContext, TRequest, CancellationToken, ValueTask<TResponse>> handle)
    {
        _minVersion = minVersion;
        _handle = handle;
    }

    public override short MinVersion => _minVersion;

    protected override async ValueTask<ApiResponse> HandleAsync(RequestContext context, TRequest request, CancellationToken cancellationToken)
    {
        var group = new GroupRequestContext(context.ApiVersion, context.ClientId, ClientHost(context.Connection.RemoteEndPoint));
        return ApiResponse.Of(await _handle(group, request, cancellationToken));
    }

    /// <summary>Kafka reports member hosts as "/address".</summary>
    private static string ClientHost(EndPoint? remote) => remote switch
    {
        IPEndPoint ip => "/" + ip.Address,
        null => string.Empty,
        _ => "/" + remote,
    };
}
