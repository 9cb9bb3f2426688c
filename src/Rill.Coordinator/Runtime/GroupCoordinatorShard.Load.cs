using Rill.Common;
using Rill.Coordinator.Groups;
using Rill.Coordinator.Records;
using Rill.Protocol;
using Rill.Protocol.Records;

namespace Rill.Coordinator.Runtime;

internal sealed partial class GroupCoordinatorShard
{
    /// <summary>
    /// Replays the partition from its start to its high watermark, in log order, then arms the members' session
    /// timers and the cleanup timer and turns the partition active. A failure leaves it closed (NOT_COORDINATOR).
    /// </summary>
    private async ValueTask<bool> LoadAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        long records = 0;
        var skipped = 0;
        try
        {
            long offset = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                _lifetime.Token.ThrowIfCancellationRequested();
                using var read = _log.Read(Partition, offset, LoadReadBytes);
                if (read.ErrorCode != ErrorCode.None)
                {
                    throw new KafkaException(read.ErrorCode, $"Reading __consumer_offsets-{Partition} at offset {offset} failed.");
                }

                if (read.Records.IsEmpty)
                {
                    break;
                }

                ReplayBatches(read.Records.Span, ref records, ref skipped);
                if (read.NextOffset <= offset)
                {
                    throw new InvalidOperationException($"Reading __consumer_offsets-{Partition} did not advance past offset {offset}.");
                }

                offset = read.NextOffset;
                // Give the thread back between reads: a large partition must not hold a pool thread for its whole load.
                await Task.Yield();
            }
        }
        catch (Exception exception)
        {
            _status = ShardStatus.Closed;
            _groups.Clear();
            _offsets.Clear();
            _loop.Complete();
            if (exception is not OperationCanceledException)
            {
                GroupLog.PartitionLoadFailed(_logger, exception, Partition);
            }

            throw;
        }

        if (skipped > 0)
        {
            GroupLog.RecordsSkipped(_logger, Partition, skipped);
        }

        await OnLoadedAsync();
        _status = ShardStatus.Active;
        var durationMs = _time.GetElapsedTime(started).TotalMilliseconds;
        GroupLog.PartitionLoaded(_logger, Partition, _groups.Count, _offsets.Count, records, durationMs);
        return true;
    }

    private void ReplayBatches(ReadOnlySpan<byte> batches, ref long records, ref int skipped)
    {
        while (batches.Length >= RecordBatch.HeaderSize)
        {
            var size = RecordBatch.GetSizeInBytes(batches);
            if (size < RecordBatch.HeaderSize || size > batches.Length)
            {
                throw new ProtocolException($"__consumer_offsets-{Partition} holds a batch of {size} bytes where {batches.Length} remain.");
            }

            var batch = batches[..size];
            batches = batches[size..];
            if (RecordBatch.IsControlBatch(batch))
            {
                continue;
            }

            var transactional = RecordBatch.IsTransactional(batch);
            var reader = new RecordReader(batch, maxUncompressedBytes: int.MaxValue);
            try
            {
                while (reader.TryReadNext(out var record))
                {
                    records++;
                    // Transactional offset commits need their transaction's marker, which this coordinator does
                    // not track yet: they are left out rather than applied uncommitted.
                    var decoded = transactional ? null : CoordinatorRecordSerde.Deserialize(record.Key, record.Value, record.IsValueNull);
                    if (decoded is null)
                    {
                        skipped++;
                        continue;
                    }

                    Replay(decoded);
                }

                if (reader.ErrorCode != ErrorCode.None)
                {
                    throw new KafkaException(reader.ErrorCode, $"A batch of __consumer_offsets-{Partition} does not parse.");
                }
            }
            finally
            {
                reader.Dispose();
            }
        }
    }

    /// <summary>Kafka's onLoaded: every loaded member gets a session timer; an over-full group rebalances.</summary>
    private async ValueTask OnLoadedAsync()
    {
        foreach (var group in _groups.Values.ToList())
        {
            foreach (var member in group.Members)
            {
                RescheduleHeartbeat(group, member);
            }

            if (group.NumMembers > _config.GroupMaxSize)
            {
                await PrepareRebalanceAsync(group, $"the loaded group has {group.NumMembers} members, more than group.max.size {_config.GroupMaxSize}");
            }
        }

        ScheduleCleanup();
    }
}
