using Rill.Common;
using Rill.Coordinator;
using Rill.Metadata;
using Rill.Replication;
using Rill.Storage;

namespace Rill.Server.Groups;

/// <summary>
/// The group coordinator's view of <c>__consumer_offsets</c>: appends and reads go through the same partition
/// logs as user topics, so replication will make the coordinator highly available without a rewrite.
/// </summary>
public sealed class CoordinatorLog : ICoordinatorLog
{
    /// <summary>Kafka writes the coordinator's records with acks=-1 (offsets.commit.required.acks is gone since 3.0).</summary>
    private const short RequiredAcks = -1;

    /// <summary>Kafka's offsets.commit.timeout.ms default: how long a coordinator write waits for the ISR.</summary>
    private const int OffsetsCommitTimeoutMs = 5000;

    private readonly ReplicaManager _replicas;
    private readonly IMetadataView _controller;

    public CoordinatorLog(ReplicaManager replicas, IMetadataView controller)
    {
        _replicas = replicas;
        _controller = controller;
    }

    public async ValueTask<CoordinatorAppendResult> AppendAsync(int partition, ReadOnlyMemory<byte> batch, CancellationToken cancellationToken)
    {
        // The append rewrites the batch header in place, so it works on a copy the coordinator does not share.
        AppendEntry[] entries = [new(new TopicPartition(OffsetsTopic.Name, partition), batch.ToArray())];
        var results = await _replicas.AppendAsync(_controller.Image, RequiredAcks, OffsetsCommitTimeoutMs, entries, AppendOrigin.Coordinator, cancellationToken)
            .ConfigureAwait(false);
        var result = results[0];
        return result.ErrorCode == ErrorCode.None
            ? CoordinatorAppendResult.Appended(result.BaseOffset)
            : CoordinatorAppendResult.Failed(result.ErrorCode);
    }

    public CoordinatorReadResult Read(int partition, long offset, int maxBytes)
    {
        var read = _replicas.ReadCommitted(_controller.Image, new TopicPartition(OffsetsTopic.Name, partition), offset, maxBytes, out var from);
        if (read.ErrorCode != ErrorCode.None)
        {
            read.Dispose();
            return CoordinatorReadResult.Failed(read.ErrorCode);
        }

        return CoordinatorReadResult.Of(read.Records, NextOffsetAfter(read.Records.Span, from), read);
    }

    private static long NextOffsetAfter(ReadOnlySpan<byte> batches, long from)
    {
        var next = from;
        while (batches.Length >= Protocol.Records.RecordBatch.HeaderSize)
        {
            next = Protocol.Records.RecordBatch.GetNextOffset(batches);
            batches = batches[Protocol.Records.RecordBatch.GetSizeInBytes(batches)..];
        }

        return next;
    }
}
