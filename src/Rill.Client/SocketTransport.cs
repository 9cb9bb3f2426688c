using System.IO.Pipelines;
using System.Net.Sockets;

namespace Rill.Client;

/// <summary>
/// TCP to a broker: a socket with Nagle off, read through a <see cref="PipeReader"/> with large segments so a
/// Fetch response of several MiB arrives in few system calls, written through a stream <see cref="PipeWriter"/>,
/// which hands a whole frame written at once to the socket without copying it.
/// </summary>
public sealed class SocketTransport : IKafkaTransport
{
    private readonly StreamPipeReaderOptions _readerOptions;

    /// <summary>64 KiB read segments, 16 KiB reads at least: enough for control traffic and modest fetches.</summary>
    public SocketTransport()
        : this(readBufferBytes: 64 * 1024, minimumReadBytes: 16 * 1024)
    {
    }

    /// <param name="readBufferBytes">The size of the read segments the socket reads into.</param>
    /// <param name="minimumReadBytes">Below this much room left in a segment, the next read takes a new one.</param>
    public SocketTransport(int readBufferBytes, int minimumReadBytes)
    {
        _readerOptions = new StreamPipeReaderOptions(bufferSize: readBufferBytes, minimumReadSize: minimumReadBytes, leaveOpen: true);
    }

    /// <summary>The transport <see cref="KafkaConnectionOptions"/> uses unless told otherwise.</summary>
    public static SocketTransport Default { get; } = new();

    public async ValueTask<IKafkaTransportConnection> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken);
        }
        catch (SocketException exception)
        {
            socket.Dispose();
            throw new KafkaConnectionException($"{host}:{port}", Describe(exception), exception);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new SocketConnection(socket, _readerOptions);
    }

    private static string Describe(SocketException exception) => exception.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
        SocketError.TimedOut => "timed out",
        _ => exception.Message,
    };

    private sealed class SocketConnection : IKafkaTransportConnection
    {
        private readonly Socket _socket;
        private readonly NetworkStream _stream;

        public SocketConnection(Socket socket, StreamPipeReaderOptions readerOptions)
        {
            _socket = socket;
            _stream = new NetworkStream(socket, ownsSocket: false);
            Input = PipeReader.Create(_stream, readerOptions);
            Output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));
        }

        public PipeReader Input { get; }

        public PipeWriter Output { get; }

        public async ValueTask DisposeAsync()
        {
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                // Already reset by the peer: nothing left to shut down.
            }

            await _stream.DisposeAsync();
            _socket.Dispose();
        }
    }
}
