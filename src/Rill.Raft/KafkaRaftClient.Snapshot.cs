using Rill.Common;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;

namespace Rill.Raft;

public sealed partial class KafkaRaftClient
{
    /// <summary>
    /// Starts a snapshot of everything before <paramref name="snapshotId"/> (kafka: <c>createSnapshot</c>, KIP-630). The
    /// offset must be committed and end a batch of <paramref name="snapshotId"/>'s epoch; the writer frames the records
    /// with Kafka's SnapshotHeader and SnapshotFooter control batches. Thread-safe: writing runs under the poll lock in
    /// slices, so a snapshot written from another thread pauses the quorum only for each slice.
    /// </summary>
    public SnapshotWriter CreateSnapshot(OffsetAndEpoch snapshotId, long lastContainedLogTimestampMs)
    {
        lock (_pollLock)
        {
            ThrowIfDisposed();
            if (!_initialized)
            {
                throw new InvalidOperationException("snapshots are created after Initialize");
            }

            if (snapshotId.Offset > _highWatermark)
            {
                throw new ArgumentException(
                    $"snapshot {snapshotId} is past the high watermark {_highWatermark}: only committed records may be snapshotted", nameof(snapshotId));
            }

            if (snapshotId.Offset < _log.StartOffset)
            {
                throw new ArgumentException($"snapshot {snapshotId} is older than the log start {_log.StartOffset}", nameof(snapshotId));
            }

            using (var existing = _log.ReadSnapshot(snapshotId))
            {
                if (existing is not null)
                {
                    throw new InvalidOperationException($"snapshot {snapshotId} exists already");
                }
            }

            if (ValidateOffsetAndEpoch(snapshotId.Offset, snapshotId.Epoch).Kind != OffsetCheckKind.Valid)
            {
                throw new ArgumentException($"snapshot {snapshotId} names an epoch the log does not have at that offset", nameof(snapshotId));
            }

            return new SnapshotWriter(this, _log.CreateNewSnapshot(snapshotId), lastContainedLogTimestampMs, WallMs());
        }
    }

    /// <summary>A snapshot writer's append, under the poll lock: the log's snapshot files are the poll thread's.</summary>
    internal void AppendToSnapshot(IRawSnapshotWriter writer, ReadOnlyMemory<byte> batch)
    {
        lock (_pollLock)
        {
            ThrowIfDisposed();
            writer.Append(batch);
        }
    }

    /// <summary>A snapshot became complete: the log before it can go once it is committed (it is, by construction).</summary>
    internal void FreezeSnapshot(IRawSnapshotWriter writer)
    {
        lock (_pollLock)
        {
            ThrowIfDisposed();
            writer.Freeze();
            RaftLog.SnapshotCreated(_logger, writer.SnapshotId.Offset, writer.SnapshotId.Epoch, writer.SizeInBytes);
            MaybeDeleteBeforeSnapshot();
        }
    }

    /// <summary>Once the high watermark passed the latest snapshot, the log before it and older snapshots are deleted.</summary>
    private void MaybeDeleteBeforeSnapshot()
    {
        if (_log.LatestSnapshotId is { } latest && latest.Offset > _log.StartOffset && latest.Offset <= _highWatermark)
        {
            _log.DeleteBeforeSnapshot(latest);
        }
    }

    private void StartSnapshotDownload(FollowerState follower, OffsetAndEpoch snapshotId, int leaderId)
    {
        using (var existing = _log.ReadSnapshot(snapshotId))
        {
            if (existing is not null)
            {
                // Downloaded before the log was replaced by it (a restart in between): replace it now.
                if (_log.TruncateToLatestSnapshot())
                {
                    SetHighWatermark(Math.Max(_highWatermark, _log.StartOffset));
                }

                return;
            }
        }

        RaftLog.SnapshotDownloadStarted(_logger, snapshotId.Offset, snapshotId.Epoch, leaderId);
        follower.Snapshot = new SnapshotDownload(_log.CreateNewSnapshot(snapshotId));
    }

    private FetchSnapshotRequest BuildFetchSnapshotRequest(SnapshotDownload download) => new()
    {
        ClusterId = _config.ClusterId,
        ReplicaId = _config.NodeId,
        MaxBytes = _config.FetchMaxBytes,
        Topics =
        [
            new FetchSnapshotRequest.TopicSnapshot
            {
                Name = MetadataTopicPartition.TopicName,
                Partitions =
                [
                    new FetchSnapshotRequest.PartitionSnapshot
                    {
                        Partition = MetadataTopicPartition.PartitionIndex,
                        CurrentLeaderEpoch = _state.Epoch,
                        SnapshotId = new FetchSnapshotRequest.SnapshotId { EndOffset = download.SnapshotId.Offset, Epoch = download.SnapshotId.Epoch },
                        Position = download.Position,
                        ReplicaDirectoryId = Uuid.Zero,
                    },
                ],
            },
        ],
    };

    /// <summary>A slice of a snapshot for a follower behind the log start (kafka: <c>handleFetchSnapshotRequest</c>).</summary>
    private FetchSnapshotResponse HandleFetchSnapshotRequest(FetchSnapshotRequest request, long now)
    {
        if (!HasValidClusterId(request.ClusterId))
        {
            return new FetchSnapshotResponse { ErrorCode = (short)ErrorCode.InconsistentClusterId };
        }

        if (request.Topics is not [{ Partitions: [var partition] } topic])
        {
            return new FetchSnapshotResponse { ErrorCode = (short)ErrorCode.InvalidRequest };
        }

        if (!MetadataTopicPartition.Matches(topic.Name, partition.Partition))
        {
            return BuildFetchSnapshotResponse(topic.Name, partition.Partition, ErrorCode.UnknownTopicOrPartition, null, 0, 0, default);
        }

        var error = ValidateLeaderOnlyRequest(partition.CurrentLeaderEpoch);
        if (error != ErrorCode.None)
        {
            return BuildFetchSnapshotResponse(topic.Name, partition.Partition, error, null, 0, 0, default);
        }

        var snapshotId = new OffsetAndEpoch(partition.SnapshotId.EndOffset, partition.SnapshotId.Epoch);
        using var reader = _log.ReadSnapshot(snapshotId);
        if (reader is null)
        {
            return BuildFetchSnapshotResponse(topic.Name, partition.Partition, ErrorCode.SnapshotNotFound, null, 0, 0, default);
        }

        var size = reader.SizeInBytes;
        if (partition.Position < 0 || partition.Position >= size)
        {
            return BuildFetchSnapshotResponse(topic.Name, partition.Partition, ErrorCode.PositionOutOfRange, null, 0, 0, default);
        }

        var maxBytes = Math.Min(request.MaxBytes, _config.FetchMaxBytes);

        // Copied: the reader is closed before the response is written.
        var slice = reader.Slice(partition.Position, Math.Max(maxBytes, 1)).ToArray();
        ((LeaderState)_state).RecordVoterFetch(request.ReplicaId, now);
        return BuildFetchSnapshotResponse(topic.Name, partition.Partition, ErrorCode.None, snapshotId, size, partition.Position, slice);
    }

    private FetchSnapshotResponse BuildFetchSnapshotResponse(string topicName, int partitionIndex, ErrorCode error, OffsetAndEpoch? snapshotId,
        long size, long position, ReadOnlyMemory<byte> records)
    {
        var partition = new FetchSnapshotResponse.PartitionSnapshot
        {
            Index = partitionIndex,
            ErrorCode = (short)error,
            CurrentLeader = new FetchSnapshotResponse.LeaderIdAndEpoch { LeaderId = _state.LeaderId, LeaderEpoch = _state.Epoch },
            Size = size,
            Position = position,
            UnalignedRecords = records,
        };
        if (snapshotId is { } id)
        {
            partition.SnapshotId = new FetchSnapshotResponse.SnapshotId { EndOffset = id.Offset, Epoch = id.Epoch };
        }

        return new FetchSnapshotResponse
        {
            Topics = [new FetchSnapshotResponse.TopicSnapshot { Name = topicName, Partitions = [partition] }],
            NodeEndpoints = LeaderNodeEndpoints(static (id, endpoint) =>
                new FetchSnapshotResponse.NodeEndpoint { NodeId = id, Host = endpoint.Host, Port = (ushort)endpoint.Port }),
        };
    }

    /// <summary>
    /// A slice of the snapshot being downloaded (kafka: <c>handleFetchSnapshotResponse</c>). Slices need not end on a
    /// batch boundary, so the tail of a torn batch waits for the next slice; the raw writer only ever gets whole batches.
    /// The last slice freezes the snapshot, the log is replaced by it and listeners load it.
    /// </summary>
    private bool HandleFetchSnapshotResponse(int source, FetchSnapshotResponse response, long now)
    {
        if (response.ErrorCode != 0)
        {
            return HandleTopLevelError((ErrorCode)response.ErrorCode, source);
        }

        if (response.Topics is not [{ Partitions: [var partition] } topic] || !MetadataTopicPartition.Matches(topic.Name, partition.Index))
        {
            return false;
        }

        var error = (ErrorCode)partition.ErrorCode;
        var handled = MaybeHandleCommonResponse(error, partition.CurrentLeader.LeaderId, partition.CurrentLeader.LeaderEpoch, source, now);
        if (handled is { } result)
        {
            return result;
        }

        if (_state is not FollowerState { Snapshot: { } download } follower || follower.LeaderId != source)
        {
            return true;
        }

        var snapshotId = new OffsetAndEpoch(partition.SnapshotId.EndOffset, partition.SnapshotId.Epoch);
        if (error == ErrorCode.SnapshotNotFound || snapshotId.Offset < 0 || snapshotId.Epoch < 0)
        {
            // The leader replaced the snapshot before this node had it all: start over with a fetch.
            RaftLog.SnapshotDownloadAbandoned(_logger, download.SnapshotId.Offset, download.SnapshotId.Epoch, error);
            AbandonSnapshotDownload(follower, now);
            return true;
        }

        if (error != ErrorCode.None)
        {
            RaftLog.UnexpectedError(_logger, source, error);
            return false;
        }

        if (snapshotId != download.SnapshotId || partition.Position != download.Position)
        {
            throw new InvalidOperationException(
                $"FetchSnapshot answered {snapshotId} at {partition.Position} to a request for {download.SnapshotId} at {download.Position}");
        }

        var received = partition.UnalignedRecords ?? ReadOnlyMemory<byte>.Empty;
        var bytes = download.Pending.Length == 0 ? received : Concat(download.Pending, received.Span);
        RaftBatches.Split(bytes, out var whole);
        if (whole > 0)
        {
            download.Writer.Append(bytes[..whole]);
        }

        download.Pending = bytes[whole..].ToArray();
        if (download.Position > partition.Size)
        {
            throw new InvalidOperationException($"snapshot {snapshotId} ran past its size {partition.Size}");
        }

        if (download.Position == partition.Size)
        {
            if (download.Pending.Length != 0)
            {
                RaftLog.SnapshotTornTail(_logger, snapshotId.Offset, snapshotId.Epoch, download.Pending.Length);
                AbandonSnapshotDownload(follower, now);
                return false;
            }

            download.Writer.Freeze();
            download.Dispose();
            follower.Snapshot = null;

            // What this log holds past its committed prefix is at best what the leader has, and may be a deposed
            // leader's tail of a later epoch than the snapshot's, which would keep the log from starting over from it.
            var committed = Math.Max(_highWatermark, _log.StartOffset);
            if (committed < snapshotId.Offset && _log.EndOffset > committed)
            {
                RaftLog.Truncated(_logger, _log.EndOffset, committed, snapshotId.Epoch, snapshotId.Offset);
                _log.TruncateTo(committed);
            }

            if (!_log.TruncateToLatestSnapshot() && _log.EndOffset < snapshotId.Offset)
            {
                throw new InvalidOperationException($"the log did not start over from the downloaded snapshot {snapshotId}");
            }

            RaftLog.SnapshotDownloaded(_logger, snapshotId.Offset, snapshotId.Epoch, partition.Size);

            // A snapshot holds committed records only, so its end is committed.
            SetHighWatermark(Math.Max(_highWatermark, snapshotId.Offset));
        }

        follower.FetchDeadlineMs = now + _config.FetchTimeoutMs;
        follower.HasFetchedFromLeader = true;
        return true;
    }

    private static ReadOnlyMemory<byte> Concat(byte[] head, ReadOnlySpan<byte> tail)
    {
        var bytes = new byte[head.Length + tail.Length];
        head.CopyTo(bytes, 0);
        tail.CopyTo(bytes.AsSpan(head.Length));
        return bytes;
    }

    private void AbandonSnapshotDownload(FollowerState follower, long now)
    {
        follower.Snapshot?.Dispose();
        follower.Snapshot = null;
        follower.FetchDeadlineMs = now + _config.FetchTimeoutMs;
    }

    /// <summary>
    /// Reads a whole snapshot for a listener: its data batches in order, and the last contained log timestamp from its
    /// SnapshotHeader. A snapshot that does not end with a SnapshotFooter is incomplete and refused.
    /// </summary>
    private RaftSnapshot ReadSnapshot(OffsetAndEpoch snapshotId)
    {
        using var reader = _log.ReadSnapshot(snapshotId)
            ?? throw new InvalidOperationException($"snapshot {snapshotId} disappeared while it was loaded");
        var bytes = new byte[reader.SizeInBytes];
        var position = 0;
        while (position < bytes.Length)
        {
            var slice = reader.Slice(position, Math.Min(bytes.Length - position, _config.FetchMaxBytes));
            if (slice.IsEmpty)
            {
                throw new KafkaException(ErrorCode.CorruptMessage, $"snapshot {snapshotId} ends at {position} of {bytes.Length} bytes");
            }

            slice.Span.CopyTo(bytes.AsSpan(position));
            position += slice.Length;
        }

        var batches = RaftBatches.Split(bytes, out var whole);
        if (whole != bytes.Length)
        {
            throw new KafkaException(ErrorCode.CorruptMessage, $"snapshot {snapshotId} ends in a torn batch at {whole}");
        }

        var lastContainedLogTimestampMs = -1L;
        var data = new List<RaftBatch>();
        var sawFooter = false;
        foreach (var batch in batches)
        {
            if (!RecordBatch.IsCrcValid(batch.Span))
            {
                throw new KafkaException(ErrorCode.CorruptMessage, $"snapshot {snapshotId} has a batch with a bad CRC at offset {RecordBatch.GetBaseOffset(batch.Span)}");
            }

            if (!RaftBatches.TryGetControlType(batch.Span, out var type))
            {
                data.Add(RaftBatches.ToRaftBatch(batch.Span));
            }
            else if (type == ControlRecordType.SnapshotHeader)
            {
                var header = KafkaMessage.Deserialize<SnapshotHeaderRecord>(RaftBatches.ReadControlValue(batch.Span), RaftBatches.ControlRecordVersion);
                lastContainedLogTimestampMs = header.LastContainedLogTimestamp;
            }
            else if (type == ControlRecordType.SnapshotFooter)
            {
                sawFooter = true;
            }
        }

        if (!sawFooter)
        {
            throw new KafkaException(ErrorCode.CorruptMessage, $"snapshot {snapshotId} has no SnapshotFooter");
        }

        return new RaftSnapshot(snapshotId, lastContainedLogTimestampMs, data);
    }

    private void LoadSnapshotIntoListeners()
    {
        var latest = _log.LatestSnapshotId;
        if (latest is null && _log.StartOffset > 0)
        {
            throw new InvalidOperationException($"the metadata log starts at {_log.StartOffset} but holds no snapshot of what came before");
        }

        RaftSnapshot? snapshot = null;
        foreach (var context in _listeners)
        {
            if (latest is { } id)
            {
                snapshot ??= ReadSnapshot(id);
                context.Listener.HandleLoadSnapshot(snapshot);
                context.NextOffset = id.Offset;
            }
            else
            {
                context.NextOffset = _log.StartOffset;
            }
        }

        if (snapshot is not null)
        {
            RaftLog.SnapshotLoaded(_logger, snapshot.SnapshotId.Offset, snapshot.SnapshotId.Epoch, _listeners.Count);
        }
    }

    /// <summary>
    /// Tells each listener what committed since it was told last, in log order (kafka: <c>updateListenersProgress</c>);
    /// a listener behind the log start loads the latest snapshot first. Then the leader, where it changed: a remote
    /// leader at once, this node's own leadership once the listener has everything before the epoch started, so that
    /// it acts on a complete state.
    /// </summary>
    private void PollListeners()
    {
        if (_listeners.Count == 0)
        {
            return;
        }

        var highWatermark = _highWatermark;
        foreach (var context in _listeners)
        {
            if (highWatermark > context.NextOffset)
            {
                CatchUp(context, highWatermark);
            }

            MaybeFireLeaderChange(context);
        }
    }

    private void CatchUp(ListenerContext context, long highWatermark)
    {
        if (context.NextOffset < _log.StartOffset)
        {
            var latest = _log.LatestSnapshotId
                ?? throw new InvalidOperationException($"a listener needs offset {context.NextOffset} but the log starts at {_log.StartOffset} with no snapshot");
            context.Listener.HandleLoadSnapshot(ReadSnapshot(latest));
            context.NextOffset = latest.Offset;
        }

        while (context.NextOffset < highWatermark)
        {
            var fetched = _log.Read(context.NextOffset, highWatermark, _config.FetchMaxBytes);
            var delivered = false;
            foreach (var batch in RaftBatches.Split(fetched.Records, out _))
            {
                var span = batch.Span;
                var lastOffset = RecordBatch.GetLastOffset(span);
                if (lastOffset < context.NextOffset)
                {
                    continue;
                }

                if (lastOffset >= highWatermark)
                {
                    break;
                }

                context.Listener.HandleCommit(RaftBatches.ToRaftBatch(span));

                context.NextOffset = lastOffset + 1;
                delivered = true;
            }

            if (!delivered)
            {
                // Nothing whole below the high watermark yet; the rest comes with a later poll.
                break;
            }
        }
    }

    private void MaybeFireLeaderChange(ListenerContext context)
    {
        var current = LeaderAndEpoch;
        if (context.LastLeader == current || _state is ResignedState)
        {
            return;
        }

        if (_state is LeaderState leader && context.NextOffset < leader.EpochStartOffset)
        {
            return;
        }

        context.LastLeader = current;
        context.Listener.HandleLeaderChange(current);
    }
}
