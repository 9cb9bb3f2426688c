using Rill.Common;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;

namespace Rill.Raft;

public sealed partial class KafkaRaftClient
{
    private long MaybeSendFetchOrFetchSnapshot(FollowerState state, int leaderId, long now) =>
        state.Snapshot is { } download
            ? MaybeSend(leaderId, _ => BuildFetchSnapshotRequest(download), now)
            : MaybeSend(leaderId, _ => BuildFetchRequest(), now);

    private FetchRequest BuildFetchRequest()
    {
        // A voter's fetch offset counts towards the high watermark as durable, so everything below it must be flushed.
        if (_isVoter && _log.FlushedOffset < _log.EndOffset)
        {
            _log.Flush();
        }

        // Both replica id fields: v0-14 carry ReplicaId, v15+ ReplicaState; the codec writes the one of the negotiated version.
        return new FetchRequest
        {
            ClusterId = _config.ClusterId,
            ReplicaId = _config.NodeId,
            ReplicaState = new FetchRequest.ReplicaStateData { ReplicaId = _config.NodeId, ReplicaEpoch = -1 },
            MaxWaitMs = _config.FetchMaxWaitMs,
            MinBytes = 0,
            MaxBytes = _config.FetchMaxBytes,
            Topics =
            [
                new FetchRequest.FetchTopic
                {
                    Topic = MetadataTopicPartition.TopicName,
                    TopicId = MetadataTopicPartition.TopicId,
                    Partitions =
                    [
                        new FetchRequest.FetchPartition
                        {
                            Partition = MetadataTopicPartition.PartitionIndex,
                            CurrentLeaderEpoch = _state.Epoch,
                            FetchOffset = _log.EndOffset,
                            LastFetchedEpoch = _log.LastFetchedEpoch,
                            LogStartOffset = _log.StartOffset,
                            PartitionMaxBytes = _config.FetchMaxBytes,
                            ReplicaDirectoryId = Uuid.Zero,
                        },
                    ],
                },
            ],
        };
    }

    /// <summary>
    /// A Fetch from a follower or observer (kafka: <c>handleFetchRequest</c>). The fetch offset and last fetched epoch are
    /// checked against this log: a diverging follower gets DivergingEpoch to truncate to, one behind the log start gets
    /// the SnapshotId to download. A fetch that finds nothing new waits up to its MaxWaitMs for an append or a high
    /// watermark move.
    /// </summary>
    private void HandleFetchRequest(FetchRequest request, Action<IKafkaMessage> respond, long now)
    {
        if (!HasValidClusterId(request.ClusterId))
        {
            Respond(respond, new FetchResponse { ErrorCode = (short)ErrorCode.InconsistentClusterId });
            return;
        }

        if (request.Topics is not [{ Partitions: [var partition] } topic]
            || !MetadataTopicPartition.Matches(topic.TopicId, topic.Topic, partition.Partition))
        {
            Respond(respond, new FetchResponse { ErrorCode = (short)ErrorCode.InvalidRequest });
            return;
        }

        if (request.MaxWaitMs < 0 || partition.FetchOffset < 0 || partition.LastFetchedEpoch < 0
            || partition.LastFetchedEpoch > partition.CurrentLeaderEpoch)
        {
            Respond(respond, BuildFetchResponse(ErrorCode.InvalidRequest, default, -1, null, null));
            return;
        }

        var replicaId = request.ReplicaState.ReplicaId >= 0 ? request.ReplicaState.ReplicaId : request.ReplicaId;
        if (replicaId == _config.NodeId)
        {
            RaftLog.FetchFromOwnId(_logger, replicaId);
            Respond(respond, BuildFetchResponse(ErrorCode.InvalidRequest, default, -1, null, null));
            return;
        }

        var response = TryCompleteFetch(replicaId, partition, now, out var answerNow);
        if (answerNow || request.MaxWaitMs == 0)
        {
            Respond(respond, response);
            return;
        }

        _heldFetches.Add(new HeldFetch(replicaId, partition, respond, now + request.MaxWaitMs, LeaderHighWatermark));
    }

    /// <summary>
    /// Answers a fetch as the log stands now (kafka: <c>tryCompleteFetchRequest</c>). <paramref name="answerNow"/> is false
    /// only for a valid fetch that found no records: the one a leader may hold.
    /// </summary>
    private FetchResponse TryCompleteFetch(int replicaId, FetchRequest.FetchPartition partition, long now, out bool answerNow)
    {
        answerNow = true;
        var error = ValidateLeaderOnlyRequest(partition.CurrentLeaderEpoch);
        if (error != ErrorCode.None)
        {
            return BuildFetchResponse(error, default, -1, null, null);
        }

        var leader = (LeaderState)_state;
        var latestSnapshot = _log.LatestSnapshotId;
        var check = partition.FetchOffset == 0 && latestSnapshot is { } snapshot
            ? new OffsetCheck(OffsetCheckKind.Snapshot, snapshot)
            : ValidateOffsetAndEpoch(partition.FetchOffset, partition.LastFetchedEpoch);

        switch (check.Kind)
        {
            case OffsetCheckKind.Diverging:
                return BuildFetchResponse(ErrorCode.None, default, leader.HighWatermark, check.Position, null);
            case OffsetCheckKind.Snapshot:
                return BuildFetchResponse(ErrorCode.None, default, leader.HighWatermark, null, check.Position);
        }

        var fetched = _log.Read(partition.FetchOffset, _log.EndOffset, _config.FetchMaxBytes);

        // A fetch without a replica id (a tool reading the log) is answered but tracked as no replica.
        if (replicaId >= 0 && leader.UpdateReplica(replicaId, partition.FetchOffset, now, WallMs(), _log.EndOffset))
        {
            OnLeaderHighWatermark(leader, now);
        }

        // Held only with nothing new to tell: no records, and a high watermark this replica already has. A fetch that
        // found none may itself have moved the high watermark (or another follower's did since the last answer); held,
        // the replica would learn of the commit only when its wait ran out, and a committed metadata change would
        // reach that node up to a fetch wait late.
        var progress = replicaId >= 0 ? leader.Replica(replicaId) : null;
        answerNow = !fetched.Records.IsEmpty || (progress is not null && progress.HighWatermarkSent != leader.HighWatermark);
        if (answerNow && progress is not null)
        {
            progress.HighWatermarkSent = leader.HighWatermark;
        }

        return BuildFetchResponse(ErrorCode.None, fetched.Records, leader.HighWatermark, null, null);
    }

    /// <summary>
    /// Kafka's <c>ReplicatedLog.validateOffsetAndEpoch</c>: a position behind the log start (or below the oldest
    /// snapshot's epoch) needs the latest snapshot; one whose epoch ends earlier here, or that this log does not have,
    /// diverges at the end of the largest epoch this log has up to it.
    /// </summary>
    private OffsetCheck ValidateOffsetAndEpoch(long offset, int epoch)
    {
        if (_log.StartOffset == 0 && offset == 0)
        {
            return new OffsetCheck(OffsetCheckKind.Valid, new OffsetAndEpoch(0, 0));
        }

        if (_log.EarliestSnapshotId is { } earliest
            && (offset < _log.StartOffset || offset == _log.StartOffset && epoch != earliest.Epoch || epoch < earliest.Epoch))
        {
            var latest = _log.LatestSnapshotId
                ?? throw new InvalidOperationException($"the log starts at {_log.StartOffset} but holds no snapshot");
            return new OffsetCheck(OffsetCheckKind.Snapshot, latest);
        }

        var end = EndOffsetForEpoch(epoch);
        return end.Epoch != epoch || end.Offset < offset
            ? new OffsetCheck(OffsetCheckKind.Diverging, end)
            : new OffsetCheck(OffsetCheckKind.Valid, new OffsetAndEpoch(offset, epoch));
    }

    /// <summary>
    /// The log's end of the largest epoch up to <paramref name="epoch"/>, never unknown: when the log holds nothing that
    /// old, the snapshot it starts from ends it (as Kafka's <c>KafkaMetadataLog.endOffsetForEpoch</c> answers), and
    /// without one nothing of that age exists anywhere, so everything diverges from the log start (epoch 0).
    /// </summary>
    private OffsetAndEpoch EndOffsetForEpoch(int epoch)
    {
        var end = _log.EndOffsetForEpoch(epoch);
        if (end.Epoch >= 0)
        {
            return end;
        }

        if (_log.EarliestSnapshotId is { } snapshot && snapshot.Offset == _log.StartOffset && epoch >= snapshot.Epoch)
        {
            return snapshot;
        }

        return new OffsetAndEpoch(_log.StartOffset, 0);
    }

    private FetchResponse BuildFetchResponse(ErrorCode error, ReadOnlyMemory<byte> records, long highWatermark, OffsetAndEpoch? diverging,
        OffsetAndEpoch? snapshotId)
    {
        var partition = new FetchResponse.PartitionData
        {
            PartitionIndex = MetadataTopicPartition.PartitionIndex,
            ErrorCode = (short)error,
            HighWatermark = highWatermark,
            LogStartOffset = _log.StartOffset,
            CurrentLeader = new FetchResponse.LeaderIdAndEpoch { LeaderId = _state.LeaderId, LeaderEpoch = _state.Epoch },
            Records = records,
        };
        if (diverging is { } divergence)
        {
            partition.DivergingEpoch = new FetchResponse.EpochEndOffset { Epoch = divergence.Epoch, EndOffset = divergence.Offset };
        }

        if (snapshotId is { } snapshot)
        {
            partition.SnapshotId = new FetchResponse.SnapshotId { EndOffset = snapshot.Offset, Epoch = snapshot.Epoch };
        }

        // As Kafka: the leader's endpoint goes with the errors that send the fetcher to it.
        var nodeEndpoints = error is ErrorCode.NotLeaderOrFollower or ErrorCode.FencedLeaderEpoch
            ? LeaderNodeEndpoints(static (id, endpoint) =>
                new FetchResponse.NodeEndpoint { NodeId = id, Host = endpoint.Host, Port = endpoint.Port, Rack = null })
            : [];
        return new FetchResponse
        {
            Responses =
            [
                new FetchResponse.FetchableTopicResponse
                {
                    Topic = MetadataTopicPartition.TopicName,
                    TopicId = MetadataTopicPartition.TopicId,
                    Partitions = [partition],
                },
            ],
            NodeEndpoints = nodeEndpoints,
        };
    }

    /// <summary>After the leader appended and flushed: its own durable end may move the high watermark, and held fetches have data.</summary>
    private void OnLeaderLogAppended(LeaderState leader, long now)
    {
        if (leader.UpdateLocal(_log.FlushedOffset, _log.EndOffset))
        {
            OnLeaderHighWatermark(leader, now);
        }

        CompleteHeldFetches(now);
    }

    private void OnLeaderHighWatermark(LeaderState leader, long now)
    {
        SetHighWatermark(leader.HighWatermark);
        CompleteHeldFetches(now);
    }

    /// <summary>Drains the accumulator once its linger has passed: every pending batch, then one flush for all of them.</summary>
    private long MaybeAppendBatches(LeaderState leader, long now)
    {
        var accumulator = _accumulator!;
        var untilDrain = accumulator.TimeUntilDrainMs(now);
        if (untilDrain > 0)
        {
            return untilDrain;
        }

        var batches = accumulator.Drain();
        foreach (var batch in batches)
        {
            var expected = RecordBatch.GetBaseOffset(batch);
            var info = _log.AppendAsLeader(batch, leader.Epoch);
            if (info.FirstOffset != expected)
            {
                throw new InvalidOperationException(
                    $"the log put a batch at {info.FirstOffset} but the leader promised offset {expected} to its caller");
            }
        }

        if (batches.Count > 0)
        {
            _log.Flush();
            OnLeaderLogAppended(leader, now);
        }

        return accumulator.TimeUntilDrainMs(now);
    }

    /// <summary>Answers the held fetches that now have something: new records past their offset, or a moved high watermark.</summary>
    private void CompleteHeldFetches(long now)
    {
        if (_heldFetches.Count == 0 || _state is not LeaderState leader)
        {
            return;
        }

        List<HeldFetch>? due = null;
        for (var i = _heldFetches.Count - 1; i >= 0; i--)
        {
            var held = _heldFetches[i];
            if (_log.EndOffset > held.Partition.FetchOffset || leader.HighWatermark != held.HighWatermarkWhenHeld)
            {
                (due ??= []).Add(held);
                _heldFetches.RemoveAt(i);
            }
        }

        // Answered after the list is settled: an answer may move the high watermark and land here again.
        if (due is not null)
        {
            foreach (var held in due)
            {
                Respond(held.Respond, TryCompleteFetch(held.ReplicaId, held.Partition, now, out _));
            }
        }
    }

    /// <summary>Answers the held fetches whose wait is over; returns how long until the next one's is.</summary>
    private long ExpireHeldFetches(long now)
    {
        if (_heldFetches.Count == 0)
        {
            return long.MaxValue;
        }

        List<HeldFetch>? expired = null;
        var next = long.MaxValue;
        for (var i = _heldFetches.Count - 1; i >= 0; i--)
        {
            var held = _heldFetches[i];
            if (now >= held.DeadlineMs)
            {
                (expired ??= []).Add(held);
                _heldFetches.RemoveAt(i);
            }
            else
            {
                next = Math.Min(next, held.DeadlineMs - now);
            }
        }

        if (expired is not null)
        {
            foreach (var held in expired)
            {
                Respond(held.Respond, TryCompleteFetch(held.ReplicaId, held.Partition, now, out _));
            }
        }

        return next;
    }

    /// <summary>This node stopped leading: every held fetch is answered with <paramref name="error"/> and the new leader, if known.</summary>
    private void CompleteAllHeldFetches(ErrorCode error)
    {
        if (_heldFetches.Count == 0)
        {
            return;
        }

        var held = _heldFetches.ToArray();
        _heldFetches.Clear();
        foreach (var fetch in held)
        {
            Respond(fetch.Respond, BuildFetchResponse(error, default, -1, null, null));
        }
    }

    /// <summary>
    /// The leader's answer to this follower's fetch (kafka: <c>handleFetchResponse</c>): truncate on divergence, start
    /// downloading a snapshot, or append the records (flushed before the next fetch, for a voter) and take the high
    /// watermark.
    /// </summary>
    private bool HandleFetchResponse(int source, FetchResponse response, long now)
    {
        if (response.ErrorCode != 0)
        {
            return HandleTopLevelError((ErrorCode)response.ErrorCode, source);
        }

        if (response.Responses is not [{ Partitions: [var partition] } topic]
            || !MetadataTopicPartition.Matches(topic.TopicId, topic.Topic, partition.PartitionIndex))
        {
            return false;
        }

        if (HandleQuorumPartitionResponse((ErrorCode)partition.ErrorCode, partition.CurrentLeader.LeaderId, partition.CurrentLeader.LeaderEpoch, source, now) is { } handled)
        {
            return handled;
        }

        if (_state is not FollowerState follower || follower.LeaderId != source)
        {
            return true;
        }

        if (partition.DivergingEpoch.Epoch >= 0)
        {
            TruncateOnDivergence(new OffsetAndEpoch(partition.DivergingEpoch.EndOffset, partition.DivergingEpoch.Epoch));
        }
        else if (partition.SnapshotId.Epoch >= 0 || partition.SnapshotId.EndOffset >= 0)
        {
            var snapshotId = new OffsetAndEpoch(partition.SnapshotId.EndOffset, partition.SnapshotId.Epoch);
            if (snapshotId.Offset < 0 || snapshotId.Epoch < 0)
            {
                RaftLog.InvalidSnapshotId(_logger, source, snapshotId.Offset, snapshotId.Epoch);
                return false;
            }

            StartSnapshotDownload(follower, snapshotId, source);
        }
        else
        {
            if (partition.Records is { IsEmpty: false } records)
            {
                AppendAsFollower(records);
            }

            UpdateFollowerHighWatermark(partition.HighWatermark);
        }

        follower.FetchDeadlineMs = now + _config.FetchTimeoutMs;
        follower.HasFetchedFromLeader = true;
        return true;
    }

    private void AppendAsFollower(ReadOnlyMemory<byte> records)
    {
        // Whole batches only (a byte limit may cut the last one), and none this log already has.
        var batches = RaftBatches.Split(records, out _);
        var endOffset = _log.EndOffset;
        var first = 0;
        var start = 0;
        while (first < batches.Count && RecordBatch.GetLastOffset(batches[first].Span) < endOffset)
        {
            start += batches[first].Length;
            first++;
        }

        if (first == batches.Count)
        {
            return;
        }

        var length = 0;
        for (var i = first; i < batches.Count; i++)
        {
            length += batches[i].Length;
        }

        _log.AppendAsFollower(records.Slice(start, length));
        if (_isVoter)
        {
            _log.Flush();
        }
    }

    /// <summary>
    /// Truncates to where this log and the leader's agree (kafka: <c>ReplicatedLog.truncateToEndOffset</c>): the end of
    /// the diverging epoch here, capped at the leader's end of it. A truncation below the high watermark would lose
    /// committed records and means the quorum broke; it stops this node.
    /// </summary>
    private void TruncateOnDivergence(OffsetAndEpoch divergence)
    {
        long offset;
        if (divergence.Epoch == 0)
        {
            offset = Math.Min(divergence.Offset, _log.EndOffset);
        }
        else
        {
            var local = EndOffsetForEpoch(divergence.Epoch);
            offset = local.Epoch == divergence.Epoch ? Math.Min(local.Offset, divergence.Offset) : local.Offset;
        }

        offset = Math.Clamp(offset, _log.StartOffset, _log.EndOffset);
        if (_highWatermark >= 0 && offset < _highWatermark)
        {
            throw new InvalidOperationException(
                $"the leader asked to truncate to {offset} (diverging at epoch {divergence.Epoch}, offset {divergence.Offset}), below the high watermark {_highWatermark}");
        }

        RaftLog.Truncated(_logger, _log.EndOffset, offset, divergence.Epoch, divergence.Offset);
        _log.TruncateTo(offset);
    }

    /// <summary>The leader's high watermark, capped at what this log has; it never moves back.</summary>
    private void UpdateFollowerHighWatermark(long leaderHighWatermark)
    {
        if (leaderHighWatermark < 0)
        {
            return;
        }

        var highWatermark = Math.Min(leaderHighWatermark, _log.EndOffset);
        if (highWatermark < _highWatermark)
        {
            throw new InvalidOperationException(
                $"the high watermark would move back from {_highWatermark} to {highWatermark} (leader's {leaderHighWatermark}, log end {_log.EndOffset})");
        }

        SetHighWatermark(highWatermark);
    }

    private enum OffsetCheckKind
    {
        Valid,
        Diverging,
        Snapshot,
    }

    private readonly record struct OffsetCheck(OffsetCheckKind Kind, OffsetAndEpoch Position);

    /// <summary>A fetch the leader holds until it has something to answer or its MaxWaitMs passes.</summary>
    private sealed record HeldFetch(int ReplicaId, FetchRequest.FetchPartition Partition, Action<IKafkaMessage> Respond, long DeadlineMs,
        long HighWatermarkWhenHeld);
}
