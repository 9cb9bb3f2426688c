namespace Rill.Protocol.Messages;

public sealed partial class ResponseHeader
{
    /// <summary>The header version a response of this api key and version uses (ApiVersions: always v0).</summary>
    public static short VersionFor(ApiKey apiKey, short apiVersion) => ApiKeys.ResponseHeaderVersion(apiKey, apiVersion);

    /// <summary>Bytes <see cref="WriteTo"/> writes: the correlation id, plus an empty tag buffer from v1.</summary>
    public static int SizeFor(ApiKey apiKey, short apiVersion) => VersionFor(apiKey, apiVersion) >= 1 ? 5 : 4;

    /// <summary>Writes the header of a response without building an instance: the server's hot path.</summary>
    public static void WriteTo(ref KafkaWriter writer, ApiKey apiKey, short apiVersion, int correlationId)
    {
        writer.WriteInt32(correlationId);
        if (VersionFor(apiKey, apiVersion) >= 1)
        {
            writer.WriteUnsignedVarInt(0);
        }
    }
}
