namespace Rill.Coordinator;

/// <summary>The per-request facts the coordinator needs: the request's version and who sent it.</summary>
/// <param name="ApiVersion">The version the request was decoded at; the response is built for it.</param>
/// <param name="ClientId">The header's client id ("" when null); new member ids start with it.</param>
/// <param name="ClientHost">The member's address as Kafka reports it ("/127.0.0.1").</param>
public sealed record GroupRequestContext(short ApiVersion, string ClientId, string ClientHost);
