using Rill.Common;
using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Replication;
using Rill.Server.Network;
using Rill.Server.Observability;

namespace Rill.Server.Handlers;

/// <summary>
/// Decodes a Fetch, asks the replica manager for the partitions (it reads whole record batches up to the high
/// watermark, or the log end for followers, and waits up to <c>max.wait.ms</c> for <c>min.bytes</c> in its
/// purgatory), and encodes the answer; a follower whose log diverged (v12+) gets the diverging epoch instead of records. Rill keeps no incremental fetch sessions: every answer carries session
/// id 0, which clients take as "no session" and keep sending full fetches (KIP-227 allows this).
/// </summary>
public sealed class FetchHandler : ApiHandler<FetchRequest>
{
    private const short MinimumVersion = 4;
    private const short FirstLogStartOffsetVersion = 5;
    private const short FirstLeaderEpochVersion = 9;
    private const short FirstLastFetchedEpochVersion = 12;
    private const short FirstCurrentLeaderVersion = 16;
    private const short FirstReplicaStateVersion = 15;
    private const int InitialSessionEpoch = 0;
    private const int FinalSessionEpoch = -1;

    private readonly IMetadataView _metadata;
    private readonly ReplicaManager _replicas;
    private readonly TopicMetrics _metrics;

    public FetchHandler(IMetadataView metadata, ReplicaManager replicas, TopicMetrics metrics)
    {
        _metadata = metadata;
        _replicas = replicas;
        _metrics = metrics;
    }

    public override short MinVersion => MinimumVersion;

    protected override async ValueTask<ApiResponse> HandleAsync(RequestContext context, FetchRequest request, CancellationToken cancellationToken)
    {
        var version = context.ApiVersion;
        if (version >= 7 && request.SessionEpoch is not (InitialSessionEpoch or FinalSessionEpoch))
        {
            return ApiResponse.Of(new FetchResponse { ErrorCode = (short)ErrorCode.FetchSessionIdNotFound });
        }

        var image = _metadata.Image;
        var replicaId = version >= FirstReplicaStateVersion ? request.ReplicaState.ReplicaId : request.ReplicaId;
        var isolation = replicaId >= 0 ? FetchIsolation.LogEnd
            : request.IsolationLevel == 1 ? FetchIsolation.TxnCommitted
            : FetchIsolation.HighWatermark;
        var fetchParams = new FetchParams(replicaId, request.MaxWaitMs, request.MinBytes, version >= 3 ? request.MaxBytes : int.MaxValue, isolation)
        {
            ReplicaEpoch = version >= FirstReplicaStateVersion ? request.ReplicaState.ReplicaEpoch : -1,
        };

        // The response's topics and partitions follow the request's one for one; those the replica manager reads are
        // listed with the slot their answer goes to.
        var response = new FetchResponse();
        var wanted = new List<FetchPartitionRequest>();
        var slots = new List<(FetchResponse.PartitionData Data, string Topic)>();
        foreach (var topic in request.Topics)
        {
            var name = TopicName(topic, version, image);
            var topicResponse = new FetchResponse.FetchableTopicResponse { Topic = topic.Topic, TopicId = topic.TopicId };
            response.Responses.Add(topicResponse);
            foreach (var fetch in topic.Partitions)
            {
                var data = new FetchResponse.PartitionData
                {
                    PartitionIndex = fetch.Partition,
                    Records = ReadOnlyMemory<byte>.Empty,
                    AbortedTransactions = isolation == FetchIsolation.TxnCommitted ? [] : null,
                };
                topicResponse.Partitions.Add(data);
                if (name is null)
                {
                    SetError(data, ErrorCode.UnknownTopicId);
                    continue;
                }

                var epoch = version >= FirstLeaderEpochVersion ? fetch.CurrentLeaderEpoch : -1;
                wanted.Add(new FetchPartitionRequest(new TopicPartition(name, fetch.Partition), fetch.FetchOffset, epoch, fetch.PartitionMaxBytes)
                {
                    LastFetchedEpoch = version >= FirstLastFetchedEpochVersion ? fetch.LastFetchedEpoch : -1,
                    LogStartOffset = version >= FirstLogStartOffsetVersion ? fetch.LogStartOffset : -1,
                });
                slots.Add((data, name));
            }
        }

        // A topic id the metadata does not know is an error, and an error answers at once.
        var unknownTopic = slots.Count < CountPartitions(request);
        var read = await _replicas.FetchAsync(image, unknownTopic ? fetchParams with { MaxWaitMs = 0 } : fetchParams, wanted, cancellationToken)
            .ConfigureAwait(false);
        for (var i = 0; i < slots.Count; i++)
        {
            var (data, topic) = slots[i];
            var partition = read.Partitions[i];
            if (partition.ErrorCode != ErrorCode.None)
            {
                SetError(data, partition.ErrorCode);
                if (version >= FirstCurrentLeaderVersion && partition.ErrorCode is ErrorCode.NotLeaderOrFollower or ErrorCode.FencedLeaderEpoch)
                {
                    AddCurrentLeader(response, data, image, wanted[i].TopicPartition, context.Connection.ListenerName);
                }

                continue;
            }

            data.HighWatermark = partition.HighWatermark;
            data.LastStableOffset = partition.LastStableOffset;
            data.LogStartOffset = partition.LogStartOffset;
            data.Records = partition.Records;
            if (partition.DivergingEpoch is { } diverging)
            {
                data.DivergingEpoch.Epoch = diverging.Epoch;
                data.DivergingEpoch.EndOffset = diverging.EndOffset;
            }

            _metrics.Fetched(topic, partition.Records.Length, partition.RecordCount);
        }

        return ApiResponse.Of(response, read);
    }

    /// <summary>The topic's name: v13+ names topics by id; null for an id the metadata does not know.</summary>
    private static string? TopicName(FetchRequest.FetchTopic topic, short version, MetadataImage image)
    {
        if (version < 13)
        {
            return topic.Topic;
        }

        return image.TopicNamesById.TryGetValue(topic.TopicId, out var name) ? name : null;
    }

    /// <summary>KIP-951: the leader this broker knows, and its endpoint once per response.</summary>
    private void AddCurrentLeader(FetchResponse response, FetchResponse.PartitionData data, MetadataImage image, TopicPartition topicPartition, string listenerName)
    {
        var (leaderId, leaderEpoch) = CurrentLeader.Of(_replicas, image, topicPartition);
        data.CurrentLeader.LeaderId = leaderId;
        data.CurrentLeader.LeaderEpoch = leaderEpoch;
        if (CurrentLeader.TryGetEndpoint(image, leaderId, listenerName, out var broker, out var endpoint)
            && !response.NodeEndpoints.Exists(node => node.NodeId == leaderId))
        {
            response.NodeEndpoints.Add(new FetchResponse.NodeEndpoint { NodeId = leaderId, Host = endpoint.Host, Port = endpoint.Port, Rack = broker.Rack });
        }
    }

    private static void SetError(FetchResponse.PartitionData data, ErrorCode error)
    {
        data.ErrorCode = (short)error;
        data.HighWatermark = -1;
        data.LastStableOffset = -1;
        data.LogStartOffset = -1;
        data.Records = ReadOnlyMemory<byte>.Empty;
    }

    private static int CountPartitions(FetchRequest request)
    {
        var count = 0;
        foreach (var topic in request.Topics)
        {
            count += topic.Partitions.Count;
        }

        return count;
    }
}
