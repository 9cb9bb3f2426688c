using Rill.Protocol.Messages;
using Rill.Server.Handlers;

namespace Rill.Server.Network;

/// <summary>
/// A request its handler has started: what <see cref="RequestPipeline"/> needs to frame its answer, or to answer
/// in its error shape if the handler fails. <see cref="Frame"/> holds the request bytes until the answer is written.
/// </summary>
public readonly record struct PendingRequest(
    RequestContext Context,
    IApiHandler? Handler,
    RequestFrame? Frame,
    short ResponseVersion,
    long StartedAt,
    ValueTask<ApiResponse> Response)
{
    public ApiKey ApiKey => Context.ApiKey;

    public int CorrelationId => Context.CorrelationId;
}
