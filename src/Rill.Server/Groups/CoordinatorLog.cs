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
    private readonly ReplicaManager _replicas;
    private readonly IMetadataView _controller;

    public CoordinatorLog(ReplicaManager replicas, IMetadataView controller)
    {
        _replicas = replicas;
        _controller = controller;
    }

    public ValueTask<CoordinatorAppendResult> AppendAsync(int partition, ReadOnlyMemory<byte> batch, CancellationToken cancellationToken)
    {
        var error = _replicas.GetLeaderPartition(_controller.Image, new TopicPartition(OffsetsTopic.Name, partition), out var leader);
        if (error != ErrorCode.None)
        {
            return ValueTask.FromResult(CoordinatorAppendResult.Failed(error));
        }

        // The append rewrites the batch header in place, so it works on a copy the coordinator does not share.
        var result = leader!.AppendAsLeader(batch.ToArray(), AppendOrigin.Coordinator);
        return ValueTask.FromResult(result.ErrorCode == ErrorCode.None
            ? CoordinatorAppendResult.Appended(result.FirstOffset)
            : CoordinatorAppendResult.Failed(result.ErrorCode));
    }

    public CoordinatorReadResult Read(int partition, long offset, int maxBytes)
    {
        var error = _replicas.GetLeaderPartition(_controller.Image, new TopicPartition(OffsetsTopic.Name, partition), out var leader);
        if (error != ErrorCode.None)
        {
            return CoordinatorReadResult.Failed(error);
        }

        // Loading starts at offset 0; compaction and retention may have moved the log start past it.
        var from = Math.Max(offset, leader!.Log.LogStartOffset);
        var read = leader.Log.Read(from, maxBytes, leader.HighWatermark, minOneBatch: true);
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
