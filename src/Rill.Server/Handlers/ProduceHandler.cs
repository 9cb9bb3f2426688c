using System.Runtime.InteropServices;
using Rill.Common;
using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;
using Rill.Replication;
using Rill.Server.Network;
using Rill.Server.Observability;

namespace Rill.Server.Handlers;

/// <summary>
/// Checks Produce's request-level rules, hands each partition's record batches (the bytes they arrived in) to
/// the replica manager, which validates, assigns offsets and appends them before the first await (so a
/// connection's produces are stored in request order) and waits for acks=-1; then encodes its results.
/// v0-v2 carry pre-0.11 message formats, which Kafka 4 no longer stores: they stay advertised (old librdkafka
/// needs v0 in the range to compress) but such a request closes the connection, as Kafka 4 does.
/// </summary>
public sealed class ProduceHandler : ApiHandler<ProduceRequest>
{
    private const short FirstRecordBatchVersion = 3;
    private const short FirstZstdVersion = 7;
    private const short FirstCurrentLeaderVersion = 10;

    private readonly IMetadataView _metadata;
    private readonly ReplicaManager _replicas;
    private readonly TopicMetrics _metrics;

    public ProduceHandler(IMetadataView metadata, ReplicaManager replicas, TopicMetrics metrics)
    {
        _metadata = metadata;
        _replicas = replicas;
        _metrics = metrics;
    }

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, ProduceRequest request, CancellationToken cancellationToken)
    {
        if (context.ApiVersion < FirstRecordBatchVersion)
        {
            return ValueTask.FromResult(ApiResponse.Close);
        }

        var image = _metadata.Image;
        var response = new ProduceResponse();
        var entries = new List<AppendEntry>();
        var slots = new List<ProduceResponse.PartitionProduceResponse>();
        foreach (var topic in request.TopicData)
        {
            var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topic.Name };
            response.Responses.Add(topicResponse);
            foreach (var partition in topic.PartitionData)
            {
                var result = new ProduceResponse.PartitionProduceResponse { Index = partition.Index, BaseOffset = -1 };
                topicResponse.PartitionResponses.Add(result);
                if (Check(image, request, context.ApiVersion, topic.Name, partition) is { } refused)
                {
                    result.ErrorCode = (short)refused.Code;
                    result.ErrorMessage = refused.Message;
                    continue;
                }

                entries.Add(new AppendEntry(new TopicPartition(topic.Name, partition.Index), MemoryMarshal.AsMemory(partition.Records!.Value)));
                slots.Add(result);
            }
        }

        if (entries.Count == 0)
        {
            return Answer(request, response, anyError: slots.Count != CountPartitions(request));
        }

        var appending = _replicas.AppendAsync(image, request.Acks, request.TimeoutMs, entries, cancellationToken);
        return appending.IsCompletedSuccessfully
            ? Answer(request, response, Encode(context, image, entries, slots, response, appending.Result) || slots.Count != CountPartitions(request))
            : AwaitAsync(context, image, request, response, entries, slots, appending);
    }

    private async ValueTask<ApiResponse> AwaitAsync(
        RequestContext context,
        MetadataImage image,
        ProduceRequest request,
        ProduceResponse response,
        List<AppendEntry> entries,
        List<ProduceResponse.PartitionProduceResponse> slots,
        ValueTask<PartitionAppendResult[]> appending)
    {
        var results = await appending.ConfigureAwait(false);
        var anyError = Encode(context, image, entries, slots, response, results) || slots.Count != CountPartitions(request);
        return await Answer(request, response, anyError).ConfigureAwait(false);
    }

    private static ValueTask<ApiResponse> Answer(ProduceRequest request, ProduceResponse response, bool anyError)
    {
        if (request.Acks == 0)
        {
            // No answer is sent; a failure closes the connection so the producer refreshes its metadata.
            return ValueTask.FromResult(anyError ? ApiResponse.Close : ApiResponse.None);
        }

        return ValueTask.FromResult(ApiResponse.Of(response));
    }

    /// <summary>
    /// Copies the replica manager's results into their response slots; true when one is an error. From v10 a partition
    /// this broker does not lead names the leader it knows and the response that leader's endpoint (KIP-951).
    /// </summary>
    private bool Encode(
        RequestContext context,
        MetadataImage image,
        List<AppendEntry> entries,
        List<ProduceResponse.PartitionProduceResponse> slots,
        ProduceResponse response,
        PartitionAppendResult[] results)
    {
        var anyError = false;
        for (var i = 0; i < results.Length; i++)
        {
            var appended = results[i];
            var slot = slots[i];
            if (appended.RecordCount > 0)
            {
                _metrics.Produced(entries[i].TopicPartition.Topic, entries[i].Records.Length, appended.RecordCount);
            }

            slot.ErrorCode = (short)appended.ErrorCode;
            slot.ErrorMessage = appended.ErrorMessage;
            slot.BaseOffset = appended.BaseOffset;
            slot.LogAppendTimeMs = appended.LogAppendTime;
            slot.LogStartOffset = appended.LogStartOffset;
            foreach (var error in appended.RecordErrors)
            {
                slot.RecordErrors.Add(new ProduceResponse.BatchIndexAndErrorMessage { BatchIndex = error.BatchIndex, BatchIndexErrorMessage = error.Message });
            }

            anyError |= appended.ErrorCode != ErrorCode.None;
            if (appended.ErrorCode == ErrorCode.NotLeaderOrFollower && context.ApiVersion >= FirstCurrentLeaderVersion)
            {
                AddCurrentLeader(response, slot, image, entries[i].TopicPartition, context.Connection.ListenerName);
            }
        }

        return anyError;
    }

    private void AddCurrentLeader(
        ProduceResponse response, ProduceResponse.PartitionProduceResponse slot, MetadataImage image, TopicPartition topicPartition, string listenerName)
    {
        var (leaderId, leaderEpoch) = CurrentLeader.Of(_replicas, image, topicPartition);
        slot.CurrentLeader.LeaderId = leaderId;
        slot.CurrentLeader.LeaderEpoch = leaderEpoch;
        if (CurrentLeader.TryGetEndpoint(image, leaderId, listenerName, out var broker, out var endpoint)
            && !response.NodeEndpoints.Exists(node => node.NodeId == leaderId))
        {
            response.NodeEndpoints.Add(new ProduceResponse.NodeEndpoint { NodeId = leaderId, Host = endpoint.Host, Port = endpoint.Port, Rack = broker.Rack });
        }
    }

    private static int CountPartitions(ProduceRequest request)
    {
        var count = 0;
        foreach (var topic in request.TopicData)
        {
            count += topic.PartitionData.Count;
        }

        return count;
    }

    /// <summary>
    /// The checks Kafka's request handler makes before the replica manager sees a partition: acks, transactions
    /// (not supported), the topic and partition exist, then the request rules of <see cref="CheckRequestRules"/>.
    /// </summary>
    private static (ErrorCode Code, string Message)? Check(
        MetadataImage image, ProduceRequest request, short version, string topic, ProduceRequest.PartitionProduceData data)
    {
        if (request.Acks is not (0 or 1 or -1))
        {
            return (ErrorCode.InvalidRequiredAcks, $"acks must be 0, 1 or -1, not {request.Acks}.");
        }

        if (request.TransactionalId is not null)
        {
            return (ErrorCode.InvalidRequest, "Transactional produce is not supported by this broker.");
        }

        if (!image.TryGetTopic(topic, out var known) || data.Index < 0 || data.Index >= known.Partitions.Length)
        {
            return (ErrorCode.UnknownTopicOrPartition, $"{new TopicPartition(topic, data.Index)} does not exist.");
        }

        if (data.Records is not { Length: > 0 } records)
        {
            return (ErrorCode.CorruptMessage, "The partition's records are empty.");
        }

        return CheckRequestRules(records.Span, version);
    }

    /// <summary>
    /// Kafka's request-level rules for Produce v3+: exactly one record batch per partition, and zstd only from
    /// v7 (KIP-110). The log validates the batch itself.
    /// </summary>
    private static (ErrorCode Code, string Message)? CheckRequestRules(ReadOnlySpan<byte> records, short version)
    {
        if (records.Length < RecordBatch.HeaderSize)
        {
            return null;
        }

        var size = RecordBatch.GetSizeInBytes(records);
        if (size > 0 && size < records.Length)
        {
            return (ErrorCode.InvalidRecord, $"Produce v{version} carries exactly one record batch per partition.");
        }

        if (version < FirstZstdVersion && RecordBatch.GetMagic(records) == RecordBatch.CurrentMagic
            && RecordBatch.GetCompressionCodec(records) == CompressionCodec.Zstd)
        {
            return (ErrorCode.UnsupportedCompressionType, $"zstd needs Produce v{FirstZstdVersion} or later, not v{version}.");
        }

        return null;
    }
}
