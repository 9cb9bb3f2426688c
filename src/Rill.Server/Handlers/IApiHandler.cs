using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>
/// Serves one Kafka API. The part of <see cref="HandleAsync"/> that runs before its first await runs in
/// request order on the connection (decode, append); whatever it awaits (acks=all, long polls) overlaps
/// with later requests, whose answers still leave in order.
/// </summary>
public interface IApiHandler
{
    ApiKey ApiKey { get; }

    short MinVersion { get; }

    short MaxVersion { get; }

    ValueTask<ApiResponse> HandleAsync(RequestContext context, CancellationToken cancellationToken);

    /// <summary>
    /// The answer to a request whose handling threw: the request's own response shape carrying <paramref name="error"/>.
    /// Null when the request gets no answer (acks=0) and the connection closes instead.
    /// </summary>
    IKafkaMessage? ErrorResponse(RequestContext context, ApiError error);
}
