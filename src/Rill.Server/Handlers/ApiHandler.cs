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

        // Kept so that a failure, even one in the awaited part, is answered in this request's shape without decoding it again.
        context.Request = request;
        return HandleAsync(context, request, cancellationToken);
    }

    public IKafkaMessage? ErrorResponse(RequestContext context, ApiError error) =>
        context.Request is TRequest request ? ErrorResponse(context, request, error) : null;

    protected abstract ValueTask<ApiResponse> HandleAsync(RequestContext context, TRequest request, CancellationToken cancellationToken);

    /// <summary>Kafka's <c>getErrorResponse</c> for this request type; the shapes live in <see cref="ErrorResponses"/>.</summary>
    protected virtual IKafkaMessage? ErrorResponse(RequestContext context, TRequest request, ApiError error) =>
        ErrorResponses.For(request, context.ApiVersion, error);
}
