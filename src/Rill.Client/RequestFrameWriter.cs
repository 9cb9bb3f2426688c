using System.Buffers.Binary;
using System.Text;
using Rill.Protocol;
using Rill.Protocol.Framing;
using Rill.Protocol.Messages;

namespace Rill.Client;

/// <summary>
/// Whole request frames: the 4-byte size, the request header at the version the generated api key table gives
/// (v0 without a client id, v1 with it, v2 adding an empty tag buffer) and the body from the generated codec.
/// One writer per client id, whose UTF-8 bytes it keeps, so writing a header costs no encoding. The correlation
/// id sits at <see cref="CorrelationIdOffset"/>, so a frame built once can be sent again under a new id.
/// </summary>
public sealed class RequestFrameWriter
{
    /// <summary>Where the correlation id starts: after size (4), api key (2) and api version (2).</summary>
    public const int CorrelationIdOffset = 8;

    /// <summary>Where the api key starts, after the size; the api version follows it.</summary>
    public const int ApiKeyOffset = 4;

    /// <summary>Size, api key, api version and correlation id: the least a request frame holds.</summary>
    public const int MinimumFrameLength = FrameReader.SizePrefixLength + FrameReader.MinimumFrameSize;

    private readonly byte[]? _clientId;

    /// <param name="clientId">The header's client id; null is sent as a null string (header v1+).</param>
    public RequestFrameWriter(string? clientId)
    {
        ClientId = clientId;
        _clientId = clientId is null ? null : Encoding.UTF8.GetBytes(clientId);
        if (_clientId is { Length: > short.MaxValue })
        {
            throw new ArgumentException($"a client id of {_clientId.Length} UTF-8 bytes does not fit the header's int16 length", nameof(clientId));
        }
    }

    public string? ClientId { get; }

    /// <summary>The frame's length in bytes, size prefix included.</summary>
    public int SizeOf(ApiKey apiKey, short apiVersion, IKafkaMessage body) =>
        FrameReader.SizePrefixLength + HeaderSize(RequestHeader.VersionFor(apiKey, apiVersion)) + body.ComputeSize(apiVersion);

    /// <summary>A new array holding the frame.</summary>
    public byte[] Encode(ApiKey apiKey, short apiVersion, int correlationId, IKafkaMessage body)
    {
        var frame = new byte[SizeOf(apiKey, apiVersion, body)];
        Write(frame, apiKey, apiVersion, correlationId, body);
        return frame;
    }

    /// <summary>Writes the frame at the start of <paramref name="destination"/>; returns its length.</summary>
    public int Write(Span<byte> destination, ApiKey apiKey, short apiVersion, int correlationId, IKafkaMessage body)
    {
        var headerVersion = RequestHeader.VersionFor(apiKey, apiVersion);
        var headerSize = HeaderSize(headerVersion);
        var bodySize = body.ComputeSize(apiVersion);
        BinaryPrimitives.WriteInt32BigEndian(destination, headerSize + bodySize);
        BinaryPrimitives.WriteInt16BigEndian(destination[ApiKeyOffset..], (short)apiKey);
        BinaryPrimitives.WriteInt16BigEndian(destination[(ApiKeyOffset + 2)..], apiVersion);
        BinaryPrimitives.WriteInt32BigEndian(destination[CorrelationIdOffset..], correlationId);
        var position = CorrelationIdOffset + sizeof(int);
        if (headerVersion >= 1)
        {
            // The client id stays a non-compact nullable string even in the flexible header v2 (KIP-482).
            BinaryPrimitives.WriteInt16BigEndian(destination[position..], _clientId is null ? (short)-1 : (short)_clientId.Length);
            position += sizeof(short);
            if (_clientId is not null)
            {
                _clientId.CopyTo(destination[position..]);
                position += _clientId.Length;
            }
        }

        if (headerVersion >= 2)
        {
            destination[position++] = 0; // no tagged fields
        }

        var writer = new KafkaWriter(destination.Slice(position, bodySize));
        body.Write(ref writer, apiVersion);
        if (writer.Position != bodySize)
        {
            throw new InvalidOperationException($"{apiKey} v{apiVersion}: computed {bodySize} bytes but wrote {writer.Position}.");
        }

        return position + bodySize;
    }

    /// <summary>Writes <paramref name="correlationId"/> into a whole frame (size prefix included).</summary>
    public static void SetCorrelationId(Span<byte> frame, int correlationId) =>
        BinaryPrimitives.WriteInt32BigEndian(frame[CorrelationIdOffset..], correlationId);

    private int HeaderSize(short headerVersion) =>
        FrameReader.MinimumFrameSize
        + (headerVersion >= 1 ? sizeof(short) + (_clientId?.Length ?? 0) : 0)
        + (headerVersion >= 2 ? 1 : 0);
}
