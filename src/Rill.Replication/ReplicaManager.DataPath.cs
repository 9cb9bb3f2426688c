using Rill.Common;
using Rill.Metadata;
using Rill.Storage;

namespace Rill.Replication;

public sealed partial class ReplicaManager
{
    /// <summary>ListOffsets' special timestamps.</summary>
    private const long LatestTimestamp = -1;
    private const long EarliestTimestamp = -2;
    private const long MaxTimestampTimestamp = -3;
    private const long EarliestLocalTimestamp = -4;
    private const long LatestTieredTimestamp = -5;

    /// <summary>DeleteRecords' offset -1: up to the high watermark.</summary>
    private const long DeleteUpToHighWatermark = -1;

    /// <summary>A producer's append: <see cref="AppendAsync(MetadataImage, short, int, IReadOnlyList{AppendEntry}, AppendOrigin, CancellationToken)"/> from a client.</summary>
    public ValueTask<PartitionAppendResult[]> AppendAsync(
        MetadataImage image, short requiredAcks, int timeoutMs, IReadOnlyList<AppendEntry> entries, CancellationToken cancellationToken) =>
        AppendAsync(image, requiredAcks, timeoutMs, entries, AppendOrigin.Client, cancellationToken);

    /// <summary>
    /// Appends each entry to its partition as leader, in order and before this method returns, so a connection's
    /// requests are stored in the order they came; only the wait runs asynchronously. acks 0 and 1 answer once stored;
    /// acks=-1 answers when the high watermark passes every partition's records, or REQUEST_TIMED_OUT for those it has
    /// not passed after <paramref name="timeoutMs"/> (kafka: <c>ReplicaManager.appendRecords</c>, <c>DelayedProduce</c>).
    /// Results come in the order of <paramref name="entries"/>.
    /// </summary>
    public ValueTask<PartitionAppendResult[]> AppendAsync(
        MetadataImage image, short requiredAcks, int timeoutMs, IReadOnlyList<AppendEntry> entries, AppendOrigin origin, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(requiredAcks is 0 or 1 or -1, true, nameof(requiredAcks));
        var results = new PartitionAppendResult[entries.Count];
        long[]? requiredOffsets = null;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            results[i] = AppendToLeader(image, entry, origin, requiredAcks, out var nextOffset);
            if (requiredAcks == -1 && nextOffset >= 0)
            {
                requiredOffsets ??= CreateFilled(entries.Count, -1);
                requiredOffsets[i] = nextOffset;
            }
        }

        // On one node the high watermark has passed the records already: no delayed operation is made.
        if (requiredOffsets is null || !DelayedProduce.AnyPending(this, entries, results, requiredOffsets))
        {
            return ValueTask.FromResult(results);
        }

        var delayed = new DelayedProduce(this, entries, results, requiredOffsets);
        var keys = new List<TopicPartition>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            if (requiredOffsets[i] >= 0)
            {
                keys.Add(entries[i].TopicPartition);
            }
        }

        ProducePurgatory.TryCompleteElseWatch(delayed, keys, TimeSpan.FromMilliseconds(Math.Max(timeoutMs, 0)), cancellationToken);
        return new ValueTask<PartitionAppendResult[]>(delayed.Task);
    }

    /// <summary>
    /// A Fetch. A follower's (<see cref="FetchParams.ReplicaId"/> &gt;= 0) read records its position as it reads, which
    /// may move the high watermark and bring it back into the ISR. The read answers at once when max.wait.ms is 0, a
    /// partition has an error or a diverging epoch, or min.bytes are there; otherwise it waits in the fetch purgatory.
    /// The caller disposes the result once the answer is written.
    /// </summary>
    public ValueTask<FetchResult> FetchAsync(
        MetadataImage image, FetchParams fetchParams, IReadOnlyList<FetchPartitionRequest> partitions, CancellationToken cancellationToken)
    {
        var read = ReadFromLocalLog(image, fetchParams, partitions, updateFetchState: true);
        if (fetchParams.MaxWaitMs <= 0 || partitions.Count == 0 || read.TotalBytes >= fetchParams.MinBytes || read.AnyError || read.AnyDivergence)
        {
            return ValueTask.FromResult(read);
        }

        read.Dispose();
        var delayed = new DelayedFetch(this, fetchParams, partitions);
        var keys = new TopicPartition[partitions.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = partitions[i].TopicPartition;
        }

        FetchPurgatory.TryCompleteElseWatch(delayed, keys, TimeSpan.FromMilliseconds(fetchParams.MaxWaitMs), cancellationToken);
        return new ValueTask<FetchResult>(delayed.Task);
    }

    /// <summary>
    /// OffsetForLeaderEpoch for one partition (kafka: <c>ReplicaManager.lastOffsetForLeaderEpoch</c>): from the leader
    /// only, after its check of the current leader epoch; KAFKA_STORAGE_ERROR for a log that could not be opened,
    /// NOT_LEADER_OR_FOLLOWER for a partition held elsewhere, UNKNOWN_TOPIC_OR_PARTITION for one that does not exist.
    /// </summary>
    public OffsetForLeaderEpochResult LastOffsetForLeaderEpoch(MetadataImage image, TopicPartition topicPartition, int currentLeaderEpoch, int leaderEpoch)
    {
        var error = GetPartition(image, topicPartition, out var partition);
        if (error != ErrorCode.None)
        {
            return OffsetForLeaderEpochResult.Failed(error);
        }

        var (code, epoch, endOffset) = partition!.LastOffsetForLeaderEpoch(currentLeaderEpoch, leaderEpoch, fetchOnlyFromLeader: true);
        return new OffsetForLeaderEpochResult(code, epoch, endOffset);
    }

    /// <summary>
    /// ListOffsets for one partition: -1 the high watermark, -2 and -4 the log start offset, -5 none (nothing is
    /// tiered), -3 the record with the largest timestamp, other negatives INVALID_REQUEST, otherwise the first record at
    /// or after the timestamp; found offsets at or past the high watermark are not reported, as in Kafka's Partition.
    /// A follower asking (<paramref name="replicaId"/> &gt;= 0, after an OFFSET_OUT_OF_RANGE) reads to the log end instead
    /// of the high watermark: -1 is the log end offset.
    /// </summary>
    public OffsetForTimestampResult FetchOffsetForTimestamp(MetadataImage image, TopicPartition topicPartition, int replicaId, int currentLeaderEpoch, long timestamp)
    {
        var error = GetLeaderPartition(image, topicPartition, out var partition);
        if (error == ErrorCode.None)
        {
            error = partition!.CheckLeaderEpoch(currentLeaderEpoch);
        }

        if (error != ErrorCode.None)
        {
            return OffsetForTimestampResult.Failed(error);
        }

        var epoch = partition!.LeaderEpoch;
        var highWatermark = replicaId >= 0 ? partition.LogEndOffset : partition.HighWatermark;
        var log = partition.Log;
        var notFound = new OffsetForTimestampResult(ErrorCode.None, -1, -1, epoch);
        switch (timestamp)
        {
            case LatestTimestamp:
                return notFound with { Offset = highWatermark };
            case EarliestTimestamp or EarliestLocalTimestamp:
                return notFound with { Offset = log.LogStartOffset };
            case LatestTieredTimestamp:
                return notFound;
            case MaxTimestampTimestamp:
                return log.FindMaxTimestamp() is { } max && max.Offset < highWatermark
                    ? notFound with { Offset = max.Offset, Timestamp = max.Timestamp }
                    : notFound;
            case < 0:
                return notFound with { ErrorCode = ErrorCode.InvalidRequest };
            default:
                return log.FindOffsetByTimestamp(timestamp) is { } found && found.Offset < highWatermark
                    ? notFound with { Offset = found.Offset, Timestamp = found.Timestamp }
                    : notFound;
        }
    }

    /// <summary>Moves the log start offset of a partition this broker leads up to <paramref name="offset"/> (-1 = the high watermark).</summary>
    public DeleteRecordsPartitionResult DeleteRecords(MetadataImage image, TopicPartition topicPartition, long offset)
    {
        var error = GetLeaderPartition(image, topicPartition, out var partition);
        if (error != ErrorCode.None)
        {
            return new DeleteRecordsPartitionResult(error, -1);
        }

        var deleted = partition!.Log.DeleteRecordsBefore(offset == DeleteUpToHighWatermark ? partition.HighWatermark : offset);
        return new DeleteRecordsPartitionResult(deleted.ErrorCode, deleted.LowWatermark);
    }

    /// <summary>
    /// Committed records of a partition this broker leads, copied into a pooled buffer, for a reader in this process
    /// that decodes them (the group coordinator loading <c>__consumer_offsets</c>); from the log start when
    /// <paramref name="offset"/> is below it. The caller disposes the result.
    /// </summary>
    public LogReadResult ReadCommitted(MetadataImage image, TopicPartition topicPartition, long offset, int maxBytes, out long fromOffset)
    {
        fromOffset = offset;
        var error = GetLeaderPartition(image, topicPartition, out var partition);
        if (error != ErrorCode.None)
        {
            return LogReadResult.Failed(error);
        }

        fromOffset = Math.Max(offset, partition!.LogStartOffset);
        return partition.Log.Read(fromOffset, maxBytes, partition.HighWatermark, minOneBatch: true);
    }

    /// <summary>
    /// Reads every partition once, as a fetch would answer now (no waiting). <paramref name="updateFetchState"/>: a
    /// follower's position is recorded by the first read of its fetch, not again when a delayed fetch reads later.
    /// </summary>
    internal FetchResult ReadFromLocalLog(MetadataImage image, FetchParams fetchParams, IReadOnlyList<FetchPartitionRequest> partitions, bool updateFetchState)
    {
        var data = new FetchPartitionData[partitions.Count];
        var owned = new List<IDisposable>(partitions.Count);
        var totalBytes = 0;
        var anyError = false;
        var anyDivergence = false;
        for (var i = 0; i < partitions.Count; i++)
        {
            data[i] = ReadPartition(image, fetchParams, partitions[i], fetchParams.MaxBytes - totalBytes, firstData: totalBytes == 0, updateFetchState, owned);
            anyError |= data[i].ErrorCode != ErrorCode.None;
            anyDivergence |= data[i].DivergingEpoch is not null;
            totalBytes += data[i].Records.Length;
        }

        return new FetchResult(data, owned, totalBytes, anyError) { AnyDivergence = anyDivergence };
    }

    private FetchPartitionData ReadPartition(
        MetadataImage image, FetchParams fetchParams, FetchPartitionRequest request, int bytesLeft, bool firstData, bool updateFetchState, List<IDisposable> owned)
    {
        var error = GetPartition(image, request.TopicPartition, out var partition);
        if (error != ErrorCode.None)
        {
            return FetchPartitionData.Failed(error);
        }

        var limit = Math.Min(request.PartitionMaxBytes, Math.Max(bytesLeft, 0));
        if (limit == 0 && !firstData && !fetchParams.IsFromFollower && partition!.IsLeader)
        {
            // A consumer's answer is full: nothing is read. A follower's fetch still reads, to record its position.
            var highWatermark = partition.HighWatermark;
            return new FetchPartitionData(ErrorCode.None, highWatermark, highWatermark, partition.LogStartOffset, ReadOnlyMemory<byte>.Empty, 0);
        }

        var read = partition!.Read(fetchParams, request, limit, minOneBatch: firstData, updateFetchState);
        if (read.ErrorCode != ErrorCode.None)
        {
            return FetchPartitionData.Failed(read.ErrorCode);
        }

        if (read.HighWatermarkIncreased)
        {
            CompleteDelayedRequests(request.TopicPartition);
        }

        if (fetchParams.IsFromFollower)
        {
            SendPendingIsrChange(partition);
        }

        var empty = new FetchPartitionData(ErrorCode.None, read.HighWatermark, read.HighWatermark, read.LogStartOffset, ReadOnlyMemory<byte>.Empty, 0);
        if (read.Read is not { } records)
        {
            return empty with { DivergingEpoch = read.DivergingEpoch };
        }

        owned.Add(records);
        return empty with { Records = records.Records, RecordCount = records.RecordCount };
    }

    private PartitionAppendResult AppendToLeader(MetadataImage image, AppendEntry entry, AppendOrigin origin, short requiredAcks, out long nextOffset)
    {
        nextOffset = -1;
        var lookup = GetLeaderPartition(image, entry.TopicPartition, out var partition);
        if (lookup != ErrorCode.None)
        {
            return PartitionAppendResult.Failed(lookup, lookup == ErrorCode.UnknownTopicOrPartition
                ? $"{entry.TopicPartition} does not exist."
                : $"This broker is not the leader of {entry.TopicPartition}.");
        }

        var appended = partition!.AppendRecordsToLeader(entry.Records, origin, requiredAcks, out var highWatermarkIncreased);
        if (appended.ErrorCode != ErrorCode.None)
        {
            return new PartitionAppendResult(appended.ErrorCode, appended.ErrorMessage, appended.RecordErrors ?? [], -1, -1, appended.LogStartOffset, 0);
        }

        // New records can complete fetches (followers read to the log end); a higher watermark can complete produces too.
        if (highWatermarkIncreased)
        {
            CompleteDelayedRequests(entry.TopicPartition);
        }
        else
        {
            FetchPurgatory.CheckAndComplete(entry.TopicPartition);
        }

        nextOffset = appended.LastOffset + 1;
        return new PartitionAppendResult(ErrorCode.None, null, [], appended.FirstOffset, appended.LogAppendTime, appended.LogStartOffset, appended.RecordCount);
    }

    private void CompleteDelayedRequests(TopicPartition topicPartition)
    {
        ProducePurgatory.CheckAndComplete(topicPartition);
        FetchPurgatory.CheckAndComplete(topicPartition);
    }

    private static long[] CreateFilled(int length, long value)
    {
        var array = new long[length];
        Array.Fill(array, value);
        return array;
    }
}
