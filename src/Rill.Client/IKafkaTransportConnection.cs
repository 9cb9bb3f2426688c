using System.IO.Pipelines;

namespace Rill.Client;

/// <summary>
/// One open byte stream from <see cref="IKafkaTransport"/>: what the client reads and where it writes. The
/// connection completes both pipe ends before it disposes this, which releases what is underneath (a socket,
/// the peer's ends of in-memory pipes). A peer that goes away completes <see cref="IDuplexPipe.Input"/>.
/// </summary>
public interface IKafkaTransportConnection : IDuplexPipe, IAsyncDisposable
{
}
