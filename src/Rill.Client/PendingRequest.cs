using Rill.Protocol.Messages;

namespace Rill.Client;

/// <summary>
/// A request waiting for its response on a <see cref="KafkaConnection"/>, as its handler sees it. A struct in the
/// connection's queue, so a request costs no allocation.
/// </summary>
/// <param name="CorrelationId">The id the connection gave the request.</param>
/// <param name="SentTimestamp">From the connection's <see cref="TimeProvider.GetTimestamp"/> just before the frame was written, for latency.</param>
/// <param name="Tag">The sender's own note (which pre-built frame, which partition set), passed back untouched.</param>
public readonly record struct PendingRequest(int CorrelationId, ApiKey ApiKey, short ApiVersion, long SentTimestamp, int Tag);
