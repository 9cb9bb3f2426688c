using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>Decodes the request body into <typeparamref name="TRequest"/>, then hands it to the API's logic.</summary>
public abstract class ApiHandler<TRequest> : IApiHandler
    where TRequest : IKafkaMessage<TRequest>, IApiMessage
{
    public ApiKey ApiKey => TRequest.ApiKey;

    public virtual short MinVersion => TRequest.LowestSupportedVersion;

    public virtual short MaxVersion => TRequest.HighestSupportedVersion;

    public ValueTask<ApiResponse> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var reader = new KafkaReader(context.Body);
        var request = TRequest.Read(ref reader, context.ApiVersion);
        return HandleAsync(context, request, cancellationToken);
    }

    protected abstract ValueTask<ApiResponse> HandleAsync(RequestContext context, TRequest request, CancellationToken cancellationToken);
}
