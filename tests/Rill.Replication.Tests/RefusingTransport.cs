using Rill.Client;

namespace Rill.Replication.Tests;

/// <summary>A transport for a broker that never follows anyone: every connection is refused.</summary>
internal sealed class RefusingTransport : IKafkaTransport
{
    public ValueTask<IKafkaTransportConnection> ConnectAsync(string host, int port, CancellationToken cancellationToken) =>
        throw new KafkaConnectionException($"{host}:{port}", "connection refused");
}
