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
}
