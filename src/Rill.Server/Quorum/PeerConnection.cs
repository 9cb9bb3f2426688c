using Rill.Client;
using Rill.Protocol;

namespace Rill.Server.Quorum;

/// <summary>
/// One connection to another node's listener, opened on first use and opened again after it fails, for the requests
/// nodes send each other (Raft, forwarded controller requests). Callers time out through their tokens.
/// </summary>
internal sealed class PeerConnection : IAsyncDisposable
{
    private readonly string _host;
    private readonly int _port;
    private readonly KafkaConnectionOptions _options;
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private KafkaConnection? _connection;
    private bool _disposed;

    public PeerConnection(string host, int port, KafkaConnectionOptions options)
    {
        _host = host;
        _port = port;
        _options = options;
    }

    public string Endpoint => $"{_host}:{_port}";

    /// <exception cref="KafkaConnectionException">The peer cannot be reached or the connection failed; the next call reconnects.</exception>
    public async Task<TResponse> SendAsync<TRequest, TResponse>(TRequest request, CancellationToken cancellationToken)
        where TRequest : IKafkaMessage, IApiMessage
        where TResponse : IKafkaMessage<TResponse>, IApiMessage
    {
        var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await connection.SendAsync<TRequest, TResponse>(request, cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaConnectionException)
        {
            await ResetAsync(connection).ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _connecting.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            if (_connection is not null)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
            }
        }
        finally
        {
            _connecting.Release();
        }
    }

    private async Task<KafkaConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _connection);
        if (current is not null && current.Failure is null)
        {
            return current;
        }

        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is { Failure: null } open)
            {
                return open;
            }

            if (_connection is not null)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
            }

            var connection = await KafkaConnection.ConnectAsync(_host, _port, _options, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _connection, connection);
            return connection;
        }
        finally
        {
            _connecting.Release();
        }
    }

    private async Task ResetAsync(KafkaConnection failed)
    {
        await _connecting.WaitAsync().ConfigureAwait(false);
        try
        {
            if (ReferenceEquals(_connection, failed))
            {
                _connection = null;
                await failed.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _connecting.Release();
        }
    }
}
