using Rill.Common;
using Rill.Protocol.Messages;

namespace Rill.Client;

/// <summary>
/// What a broker said in ApiVersions, and per api key the version this client uses with it: the highest version
/// both sides support. This client's side is what the generated codecs define (<see cref="ApiKeys"/>), without a
/// latest version the schema marks unstable, as Kafka's clients leave those alone.
/// </summary>
public sealed class NegotiatedVersions
{
    private readonly (short Min, short Max)?[] _broker;
    private readonly short[] _negotiated;

    public NegotiatedVersions(string endpoint, IEnumerable<ApiVersionsResponse.ApiVersion> brokerRanges)
    {
        Endpoint = endpoint;
        var size = 0;
        foreach (var info in ApiKeys.All)
        {
            size = Math.Max(size, (int)info.Key + 1);
        }

        _broker = new (short, short)?[size];
        _negotiated = new short[size];
        Array.Fill(_negotiated, (short)-1);
        foreach (var range in brokerRanges)
        {
            var key = (ApiKey)range.ApiKey;
            if (!ApiKeys.TryGet(key, out var info))
            {
                // A key newer than our schemas: we could not encode it anyway.
                continue;
            }

            _broker[range.ApiKey] = (range.MinVersion, range.MaxVersion);
            var clientMax = ClientHighest(info);
            var version = Math.Min(clientMax, range.MaxVersion);
            if (version >= Math.Max(info.LowestVersion, range.MinVersion))
            {
                _negotiated[range.ApiKey] = (short)version;
            }
        }
    }

    /// <summary>The broker these versions were negotiated with, for messages.</summary>
    public string Endpoint { get; }

    /// <summary>The range the broker advertised for <paramref name="apiKey"/>; false when it advertised none.</summary>
    public bool TryGetBrokerRange(ApiKey apiKey, out short minVersion, out short maxVersion)
    {
        var index = (int)apiKey;
        if ((uint)index < (uint)_broker.Length && _broker[index] is { } range)
        {
            (minVersion, maxVersion) = range;
            return true;
        }

        minVersion = maxVersion = -1;
        return false;
    }

    /// <summary>The version to use for <paramref name="apiKey"/>; false when the two sides share none.</summary>
    public bool TryGetVersion(ApiKey apiKey, out short version)
    {
        var index = (int)apiKey;
        version = (uint)index < (uint)_negotiated.Length ? _negotiated[index] : (short)-1;
        return version >= 0;
    }

    /// <summary>The version to use for <paramref name="apiKey"/>.</summary>
    /// <exception cref="KafkaException"><see cref="ErrorCode.UnsupportedVersion"/>: the broker lacks the api, or shares no version of it with this client.</exception>
    public short GetVersion(ApiKey apiKey)
    {
        if (TryGetVersion(apiKey, out var version))
        {
            return version;
        }

        if (!ApiKeys.TryGet(apiKey, out var info))
        {
            throw new ArgumentOutOfRangeException(nameof(apiKey), apiKey, "not an api key of the generated schemas");
        }

        throw Unsupported(apiKey, info.LowestVersion, ClientHighest(info));
    }

    /// <summary>
    /// The highest version in both [<paramref name="lowest"/>, <paramref name="highest"/>] and the broker's range,
    /// for a caller narrower than the codecs (a Fetch that needs record batches of magic 2: v4+).
    /// </summary>
    public bool TryNegotiate(ApiKey apiKey, short lowest, short highest, out short version)
    {
        version = -1;
        if (!TryGetBrokerRange(apiKey, out var brokerMin, out var brokerMax))
        {
            return false;
        }

        var candidate = Math.Min(highest, brokerMax);
        if (candidate < Math.Max(lowest, brokerMin))
        {
            return false;
        }

        version = (short)candidate;
        return true;
    }

    /// <summary>The clear failure for an api or version range the broker does not serve.</summary>
    public KafkaException Unsupported(ApiKey apiKey, short lowest, short highest)
    {
        var broker = TryGetBrokerRange(apiKey, out var min, out var max)
            ? $"it serves v{min}-v{max}"
            : "it does not serve that api at all";
        return new KafkaException(ErrorCode.UnsupportedVersion, $"{Endpoint} cannot take {apiKey} v{lowest}-v{highest}: {broker}");
    }

    private static short ClientHighest(ApiKeyInfo info) =>
        info.LatestVersionUnstable && info.HighestVersion > info.LowestVersion ? (short)(info.HighestVersion - 1) : info.HighestVersion;
}
