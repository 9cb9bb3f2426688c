namespace Rill.Client;

/// <summary>How a <see cref="KafkaConnection"/> connects and how much it lets pile up.</summary>
public sealed record KafkaConnectionOptions
{
    /// <summary>The request header's client id.</summary>
    public string? ClientId { get; init; } = "rill-client";

    /// <summary>ApiVersions v3+ carries the client's software name and version; the broker checks both against Kafka's pattern.</summary>
    public string ClientSoftwareName { get; init; } = "rill-client";

    public string ClientSoftwareVersion { get; init; } = typeof(KafkaConnectionOptions).Assembly.GetName().Version!.ToString(3);

    public IKafkaTransport Transport { get; init; } = SocketTransport.Default;

    /// <summary>
    /// Requests sent and not yet answered; a sender beyond it waits (backpressure). Requests sent without a
    /// response (Produce with acks=0) do not count.
    /// </summary>
    public int MaxInFlightRequests { get; init; } = 64;

    /// <summary>A response frame above this size fails the connection before its bytes are buffered.</summary>
    public int MaxResponseBytes { get; init; } = 256 * 1024 * 1024;

    /// <summary>Stamps <see cref="PendingRequest.SentTimestamp"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
