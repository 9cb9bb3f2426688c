using Rill.Protocol.Messages;

namespace Rill.Cli.Perf.Native;

/// <summary>
/// A request waiting for its response on a <see cref="NativeConnection"/>: what to decode it as, when it was sent
/// and who handles it. A struct in the connection's queue, so a request costs no allocation.
/// </summary>
/// <param name="SentTimestamp">From <see cref="TimeProvider.GetTimestamp"/>, for latency.</param>
/// <param name="Tag">The handler's own note (which pre-built frame, which partition set).</param>
internal readonly record struct PendingRequest(int CorrelationId, ApiKey ApiKey, short ApiVersion, long SentTimestamp, IResponseHandler Handler, int Tag);
