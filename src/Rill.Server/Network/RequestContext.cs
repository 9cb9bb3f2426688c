using System.Net;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Server.Network;

/// <summary>One request as a handler sees it: its header, the connection it came on, and its body bytes.</summary>
public sealed class RequestContext
{
    public RequestContext(
        ApiKey apiKey,
        short apiVersion,
        int correlationId,
        string clientId,
        ConnectionInfo connection,
        Memory<byte> body)
    {
        ApiKey = apiKey;
        ApiVersion = apiVersion;
        CorrelationId = correlationId;
        ClientId = clientId;
        Connection = connection;
        Body = body;
    }

    public ApiKey ApiKey { get; }

    public short ApiVersion { get; }

    public int CorrelationId { get; }

    public string ClientId { get; }

    public ConnectionInfo Connection { get; }

    /// <summary>The request body after the header; a slice of the pooled frame, valid until the response is written.</summary>
    public Memory<byte> Body { get; }

    /// <summary>The decoded request once its handler has read the body; a failed handler's error answer is built from it.</summary>
    public IKafkaMessage? Request { get; internal set; }
}

/// <summary>Facts about a client connection that handlers and logs use.</summary>
public sealed record ConnectionInfo(string ConnectionId, EndPoint? RemoteEndPoint, EndPoint? LocalEndPoint, string ListenerName);
