using Rill.Protocol;

namespace Rill.Server.Network;

/// <summary>
/// What a handler gives back: a message to send, nothing (acks=0 Produce), or a request to close the
/// connection. <see cref="Resources"/> (pooled record buffers a Fetch answer points into) is disposed once the bytes are written.
/// </summary>
public readonly record struct ApiResponse(IKafkaMessage? Message, bool CloseConnection, IDisposable? Resources)
{
    public static readonly ApiResponse None = new(null, CloseConnection: false, null);

    public static readonly ApiResponse Close = new(null, CloseConnection: true, null);

    public static ApiResponse Of(IKafkaMessage message) => new(message, CloseConnection: false, null);

    public static ApiResponse Of(IKafkaMessage message, IDisposable? resources) => new(message, CloseConnection: false, resources);
}
