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
/// Appends each partition's record batches as the bytes they arrived in: validated, offsets assigned by
/// rewriting batch headers in place, written to the log. v0-v2 carry pre-0.11 message formats, which Kafka 4
/// no longer stores: they stay advertised (old librdkafka needs v0 in the range to compress) but such a
/// request closes the connection, as Kafka 4 does.
/// </summary>
public sealed class ProduceHandler : ApiHandler<ProduceRequest>
{
    private const short FirstRecordBatchVersion = 3;
    private const short FirstZstdVersion = 7;

    private readonly IMetadataView _controller;
    private readonly ReplicaManager _replicas;
    private readonly TopicMetrics _metrics;

    public ProduceHandler(IMetadataView controller, ReplicaManager replicas, TopicMetrics metrics)
    {
        _controller = controller;
        _replicas = replicas;
        _metrics = metrics;
    }

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, ProduceRequest request, CancellationToken cancellationToken)
    {
        if (context.ApiVersion < FirstRecordBatchVersion)
        {
            return ValueTask.FromResult(ApiResponse.Close);
        }

        var image = _controller.Image;
        var response = new ProduceResponse();
        var anyError = false;
        foreach (var topic in request.TopicData)
        {
            var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topic.Name };
            response.Responses.Add(topicResponse);
            foreach (var partition in topic.PartitionData)
            {
                var result = Append(image, request, context.ApiVersion, topic.Name, partition);
                anyError |= result.ErrorCode != (short)ErrorCode.None;
                topicResponse.PartitionResponses.Add(result);
            }
        }

        if (request.Acks == 0)
        {
            // No answer is sent; a failure closes the connection so the producer refreshes its metadata.
            return ValueTask.FromResult(anyError ? ApiResponse.Close : ApiResponse.None);
        }

        return ValueTask.FromResult(ApiResponse.Of(response));
    }

    private ProduceResponse.PartitionProduceResponse Append(
        MetadataImage image,
        ProduceRequest request,
        short version,
        string topic,
        ProduceRequest.PartitionProduceData data)
    {
        var result = new ProduceResponse.PartitionProduceResponse
        {
            Index = data.Index,
            BaseOffset = -1,
        };
        if (request.Acks is not (0 or 1 or -1))
        {
            return Fail(result, ErrorCode.InvalidRequiredAcks, $"acks must be 0, 1 or -1, not {request.Acks}.");
        }

        if (request.TransactionalId is not null)
        {
            return Fail(result, ErrorCode.InvalidRequest, "Transactional produce is not supported by this broker.");
        }

        var topicPartition = new TopicPartition(topic, data.Index);
        var lookup = _replicas.GetLeaderPartition(image, topicPartition, out var partition);
        if (lookup != ErrorCode.None)
        {
            return Fail(result, lookup, lookup == ErrorCode.UnknownTopicOrPartition
                ? $"{topicPartition} does not exist."
                : $"This broker is not the leader of {topicPartition}.");
        }

        if (data.Records is not { Length: > 0 } records)
        {
            return Fail(result, ErrorCode.CorruptMessage, "The partition's records are empty.");
        }

        if (CheckRequestRules(records.Span, version) is { } refused)
        {
            return Fail(result, refused.Code, refused.Message);
        }

        var appended = partition!.AppendAsLeader(MemoryMarshal.AsMemory(records));
        result.ErrorCode = (short)appended.ErrorCode;
        result.LogStartOffset = partition.Log.LogStartOffset;
        if (appended.ErrorCode != ErrorCode.None)
        {
            result.ErrorMessage = appended.ErrorMessage;
            return result;
        }

        _metrics.Produced(topic, records.Length, appended.RecordCount);
        result.BaseOffset = appended.FirstOffset;
        result.LogAppendTimeMs = appended.LogAppendTime;
        return result;
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

    private static ProduceResponse.PartitionProduceResponse Fail(
        ProduceResponse.PartitionProduceResponse result,
        ErrorCode code,
        string message)
    {
        result.ErrorCode = (short)code;
        result.ErrorMessage = message;
        return result;
    }
}
