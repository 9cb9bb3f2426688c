using Rill.Client;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Raft.Tests.Simulation;

/// <summary>
/// Every simulated message crosses a wire: written and read again at the version Rill.Client negotiates with a node
/// that serves the generated ranges, so a field that does not survive the negotiated version fails the simulation.
/// </summary>
internal static class WireCodec
{
    private static readonly NegotiatedVersions Versions = new("simulated-node",
        ApiKeys.All.Select(static info => new ApiVersionsResponse.ApiVersion
        {
            ApiKey = (short)info.Key,
            MinVersion = info.LowestVersion,
            MaxVersion = info.HighestVersion,
        }));

    public static ApiKey ApiKeyOf(object request) => request switch
    {
        VoteRequest => ApiKey.Vote,
        BeginQuorumEpochRequest => ApiKey.BeginQuorumEpoch,
        EndQuorumEpochRequest => ApiKey.EndQuorumEpoch,
        FetchRequest => ApiKey.Fetch,
        FetchSnapshotRequest => ApiKey.FetchSnapshot,
        DescribeQuorumRequest => ApiKey.DescribeQuorum,
        _ => throw new ArgumentException($"{request.GetType().Name} is not a Raft request", nameof(request)),
    };

    public static short VersionOf(ApiKey apiKey) => Versions.GetVersion(apiKey);

    public static byte[] Write(object message, short version) => KafkaMessage.Serialize((IKafkaMessage)message, version);

    public static IApiMessage ReadRequest(ApiKey apiKey, byte[] bytes, short version) => apiKey switch
    {
        ApiKey.Vote => KafkaMessage.Deserialize<VoteRequest>(bytes, version),
        ApiKey.BeginQuorumEpoch => KafkaMessage.Deserialize<BeginQuorumEpochRequest>(bytes, version),
        ApiKey.EndQuorumEpoch => KafkaMessage.Deserialize<EndQuorumEpochRequest>(bytes, version),
        ApiKey.Fetch => KafkaMessage.Deserialize<FetchRequest>(bytes, version),
        ApiKey.FetchSnapshot => KafkaMessage.Deserialize<FetchSnapshotRequest>(bytes, version),
        ApiKey.DescribeQuorum => KafkaMessage.Deserialize<DescribeQuorumRequest>(bytes, version),
        _ => throw new ArgumentOutOfRangeException(nameof(apiKey), apiKey, "not a Raft request"),
    };

    public static IKafkaMessage ReadResponse(ApiKey apiKey, byte[] bytes, short version) => apiKey switch
    {
        ApiKey.Vote => KafkaMessage.Deserialize<VoteResponse>(bytes, version),
        ApiKey.BeginQuorumEpoch => KafkaMessage.Deserialize<BeginQuorumEpochResponse>(bytes, version),
        ApiKey.EndQuorumEpoch => KafkaMessage.Deserialize<EndQuorumEpochResponse>(bytes, version),
        ApiKey.Fetch => KafkaMessage.Deserialize<FetchResponse>(bytes, version),
        ApiKey.FetchSnapshot => KafkaMessage.Deserialize<FetchSnapshotResponse>(bytes, version),
        ApiKey.DescribeQuorum => KafkaMessage.Deserialize<DescribeQuorumResponse>(bytes, version),
        _ => throw new ArgumentOutOfRangeException(nameof(apiKey), apiKey, "not a Raft response"),
    };
}
