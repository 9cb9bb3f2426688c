namespace Rill.Client;

/// <summary>
/// How a <see cref="KafkaConnection"/> reaches a broker: sockets in production (<see cref="SocketTransport"/>),
/// in-memory pipes for nodes in one process. The client depends on the pipe only, so both behave the same.
/// </summary>
public interface IKafkaTransport
{
    /// <summary>Opens a byte stream to <paramref name="host"/>:<paramref name="port"/>.</summary>
    /// <exception cref="KafkaConnectionException">The peer cannot be reached (refused, unknown host, unreachable).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (timeouts are cancellations).</exception>
    ValueTask<IKafkaTransportConnection> ConnectAsync(string host, int port, CancellationToken cancellationToken);
}
