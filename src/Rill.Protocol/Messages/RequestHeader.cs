namespace Rill.Protocol.Messages;

public sealed partial class RequestHeader
{
    /// <summary>The api key as the enum; a key we do not know is a number outside it.</summary>
    public ApiKey ApiKey => (ApiKey)RequestApiKey;

    /// <summary>The header version a request of this api key and version uses (see <see cref="ApiKeyInfo.RequestHeaderVersion"/>).</summary>
    public static short VersionFor(ApiKey apiKey, short apiVersion) => ApiKeys.RequestHeaderVersion(apiKey, apiVersion);

    /// <summary>
    /// Reads a request header, choosing its version from the api key and version it starts with.
    /// For an api key we do not know the header is read as v1 (key, version, correlation id, client id):
    /// the server closes such a connection anyway, and v1 is enough to log the correlation id and client.
    /// If the client actually sent a flexible (v2) header, its tag buffer is left unread, which does not
    /// matter because the body is never parsed.
    /// </summary>
    public static RequestHeader ReadFrom(ref KafkaReader reader, out short headerVersion)
    {
        // Peek at key and version on a copy; the real read starts over from the same position.
        var peek = reader;
        var apiKey = (ApiKey)peek.ReadInt16();
        var apiVersion = peek.ReadInt16();
        headerVersion = ApiKeys.TryGet(apiKey, out var info) ? info.RequestHeaderVersion(apiVersion) : (short)1;
        return Read(ref reader, headerVersion);
    }
}
