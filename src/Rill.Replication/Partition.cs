using System.Collections.Immutable;
using Rill.Common;
using Rill.Metadata;
using Rill.Storage;

namespace Rill.Replication;

/// <summary>
/// A partition this broker holds a replica of: the one place that checks leader epochs, moves the high watermark
/// and decides ISR changes (kafka: <c>Partition</c>). As leader it tracks each follower's position and last
/// caught-up time from its fetches, advances the high watermark to the smallest log end offset over the maximal ISR
/// (never backwards), answers a follower's fetch with the diverging epoch when the follower's log went another way,
/// and proposes ISR shrinks and expansions, one at a time. As follower it takes the leader's records, high watermark
/// and log start offset, and truncates where the leader says its log diverged. On one node the leader alone is the
/// ISR, so the high watermark follows its log end offset through the same rule.
/// </summary>
/// <remarks>
/// One lock covers the leadership state, the followers' states and every write to the log (leader and follower
/// appends, truncation), so no append lands under an epoch this partition has left; it is taken before the log's
/// own locks and never held across an await. Readers see <see cref="State"/>, an immutable snapshot swapped under it.
/// </remarks>
public sealed class Partition
{
    private readonly Lock _stateLock = new();
    private readonly Dictionary<int, ReplicaState> _remoteReplicas = [];
    private readonly Func<MetadataImage> _image;
    private readonly TimeProvider _time;
    private readonly long _replicaLagTimeMaxMs;
    private PartitionState _state;
    private PartitionRegistration? _registration;

    /// <summary>The log end offset when this broker became leader in its current epoch; -1 as follower.</summary>
    private long _leaderEpochStartOffset = -1;

    private bool _removed;

    /// <param name="image">The metadata image in force: ISR eligibility reads the followers' broker registrations from it.</param>
    public Partition(
        TopicPartition topicPartition,
        Uuid topicId,
        Log log,
        int localBrokerId,
        long replicaLagTimeMaxMs,
        Func<MetadataImage> image,
        TimeProvider time)
    {
        TopicPartition = topicPartition;
        TopicId = topicId;
        Log = log;
        LocalBrokerId = localBrokerId;
        _replicaLagTimeMaxMs = replicaLagTimeMaxMs;
        _image = image;
        _time = time;
        _state = PartitionState.None;
    }

    public TopicPartition TopicPartition { get; }

    public Uuid TopicId { get; }

    public int LocalBrokerId { get; }

    /// <summary>The registration last applied from the metadata; null before the first.</summary>
    public PartitionRegistration? Registration => Volatile.Read(ref _registration);

    /// <summary>Leader, epochs, replicas and ISR as this broker knows them now, one consistent snapshot.</summary>
    public PartitionState State => Volatile.Read(ref _state);

    public int LeaderEpoch => State.LeaderEpoch;

    public bool IsLeader => State.LeaderId == LocalBrokerId;

    /// <summary>The ISR the controller last confirmed.</summary>
    public ImmutableArray<int> Isr => State.Isr;

    /// <summary>Offsets below it are on every in-sync replica: what consumers may read.</summary>
    public long HighWatermark => Log.HighWatermark;

    public long LogEndOffset => Log.LogEndOffset;

    public long LogStartOffset => Log.LogStartOffset;

    /// <summary>The data directory (one of <c>log.dirs</c>) holding the replica.</summary>
    public string LogDir => Log.LogDir;

    public long SizeInBytes => Log.SizeInBytes;

    /// <summary><c>min.insync.replicas</c> of the topic: the ISR an acks=-1 write needs.</summary>
    public int MinInSyncReplicas => Log.Config.MinInSyncReplicas;

    /// <summary>Storage stays inside the replication layer; handlers see only what this type answers.</summary>
    internal Log Log { get; }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// The request's view of the leader epoch against ours (-1 = not given): FENCED_LEADER_EPOCH when the request's is
    /// older, UNKNOWN_LEADER_EPOCH when it is newer than what this broker has learned (kafka: <c>Partition.checkCurrentLeaderEpoch</c>).
    /// </summary>
    public ErrorCode CheckLeaderEpoch(int currentLeaderEpoch)
    {
        var epoch = LeaderEpoch;
        if (currentLeaderEpoch == -1 || currentLeaderEpoch == epoch)
        {
            return ErrorCode.None;
        }

        return currentLeaderEpoch < epoch ? ErrorCode.FencedLeaderEpoch : ErrorCode.UnknownLeaderEpoch;
    }

    /// <summary>
    /// A registration from the metadata (kafka: <c>makeLeader</c>, <c>makeFollower</c>). One older than the partition
    /// epoch already known (the leader may have learned a newer one from its own AlterPartition) is skipped. A new
    /// leader epoch records where this broker's log ended as leader, and resets what it knows of the followers: an
    /// in-sync follower counts as caught up now, so it is not dropped before it could fetch.
    /// </summary>
    public PartitionUpdate Update(PartitionRegistration registration)
    {
        lock (_stateLock)
        {
            var before = _state;
            if (registration.PartitionEpoch < before.PartitionEpoch)
            {
                return default;
            }

            Volatile.Write(ref _registration, registration);
            var isNewLeaderEpoch = registration.LeaderEpoch > before.LeaderEpoch;
            var wasLeader = before.LeaderId == LocalBrokerId;
            var isLeader = registration.Leader == LocalBrokerId;
            var highWatermarkIncreased = false;
            if (isLeader)
            {
                foreach (var replica in registration.Replicas)
                {
                    if (replica != LocalBrokerId)
                    {
                        _remoteReplicas.TryAdd(replica, ReplicaState.Empty);
                    }
                }

                foreach (var replica in _remoteReplicas.Keys.Where(id => !registration.Replicas.Contains(id)).ToList())
                {
                    _remoteReplicas.Remove(replica);
                }

                if (isNewLeaderEpoch)
                {
                    var startOffset = Log.LogEndOffset;
                    _leaderEpochStartOffset = startOffset;
                    AssignEpochStartOffset(registration.LeaderEpoch, startOffset);
                    var nowMs = NowMs;
                    foreach (var (replica, state) in _remoteReplicas.ToList())
                    {
                        _remoteReplicas[replica] = state.Reset(nowMs, startOffset, isNewLeader: !wasLeader, isFollowerInSync: registration.Isr.Contains(replica));
                    }
                }

                Volatile.Write(ref _state, PartitionState.Of(registration));
                highWatermarkIncreased = MaybeIncrementLeaderHighWatermarkLocked(NowMs);
            }
            else
            {
                _remoteReplicas.Clear();
                _leaderEpochStartOffset = -1;
                Volatile.Write(ref _state, PartitionState.Of(registration));
            }

            var leadershipChanged = isNewLeaderEpoch || before.LeaderId != registration.Leader;
            return new PartitionUpdate(Applied: true, isLeader, isNewLeaderEpoch, leadershipChanged, highWatermarkIncreased);
        }
    }

    /// <summary>
    /// Appends a producer's (or the coordinator's) records as leader. With acks=-1 the write is refused with
    /// NOT_ENOUGH_REPLICAS, before anything is stored, when the committed ISR is smaller than <c>min.insync.replicas</c>
    /// (kafka: <c>Partition.appendRecordsToLeader</c>). <paramref name="highWatermarkIncreased"/> tells the caller to
    /// complete operations waiting for it.
    /// </summary>
    public AppendResult AppendRecordsToLeader(Memory<byte> records, AppendOrigin origin, short requiredAcks, out bool highWatermarkIncreased)
    {
        highWatermarkIncreased = false;
        lock (_stateLock)
        {
            var state = _state;
            if (state.LeaderId != LocalBrokerId || _removed)
            {
                return Refused(ErrorCode.NotLeaderOrFollower, $"This broker is not the leader of {TopicPartition}.");
            }

            var minIsr = MinInSyncReplicas;
            if (requiredAcks == -1 && state.Isr.Length < minIsr)
            {
                return Refused(ErrorCode.NotEnoughReplicas,
                    $"The size of the current ISR [{string.Join(", ", state.Isr)}] is insufficient to satisfy the min.isr requirement of {minIsr} for partition {TopicPartition}");
            }

            var result = Log.AppendAsLeader(records, state.LeaderEpoch, origin);
            if (result.ErrorCode == ErrorCode.None)
            {
                highWatermarkIncreased = MaybeIncrementLeaderHighWatermarkLocked(NowMs);
            }

            return result;
        }
    }

    /// <summary>
    /// One partition of a Fetch, read as Kafka's <c>Partition.fetchRecords</c> does: the request's leader epoch first,
    /// then leadership, then (a follower) that the fetcher is a replica, then the divergence check: a follower whose last
    /// fetched epoch ends, on this leader, before its fetch offset, or is unknown here, is answered with the diverging
    /// epoch and its end offset and no records. A follower's fetch then records its position
    /// (<paramref name="updateFetchState"/>: not again when a delayed fetch reads a second time). The caller disposes
    /// the read.
    /// </summary>
    internal PartitionRead Read(FetchParams fetchParams, FetchPartitionRequest request, int maxBytes, bool minOneBatch, bool updateFetchState)
    {
        var state = State;
        var error = CheckLeaderEpoch(request.CurrentLeaderEpoch);
        if (error == ErrorCode.None && state.LeaderId != LocalBrokerId)
        {
            error = ErrorCode.NotLeaderOrFollower;
        }

        if (error == ErrorCode.None && fetchParams.IsFromFollower && (fetchParams.ReplicaId == LocalBrokerId || !state.Replicas.Contains(fetchParams.ReplicaId)))
        {
            // With an epoch the (replica, epoch) pair is not known yet (a reassignment adding it): the follower retries.
            error = request.CurrentLeaderEpoch >= 0 ? ErrorCode.UnknownLeaderEpoch : ErrorCode.NotLeaderOrFollower;
        }

        if (error != ErrorCode.None)
        {
            return PartitionRead.Failed(error);
        }

        // The offsets before the read: appends after it must not keep a follower from counting as caught up.
        var highWatermark = Log.HighWatermark;
        var logStartOffset = Log.LogStartOffset;
        var logEndOffset = Log.LogEndOffset;
        if (request.LastFetchedEpoch >= 0)
        {
            var (epoch, endOffset) = EndOffsetForEpoch(request.LastFetchedEpoch);
            if (endOffset < 0 || epoch < 0 || request.FetchOffset < logStartOffset)
            {
                return PartitionRead.Failed(ErrorCode.OffsetOutOfRange);
            }

            if (epoch < request.LastFetchedEpoch || endOffset < request.FetchOffset)
            {
                return new PartitionRead(ErrorCode.None, null, new DivergingEpoch(epoch, endOffset), highWatermark, logStartOffset, logEndOffset);
            }
        }

        var maxOffset = fetchParams.Isolation == FetchIsolation.LogEnd ? logEndOffset : highWatermark;
        var read = Log.ReadFileRegion(request.FetchOffset, maxBytes, maxOffset, minOneBatch);
        if (read.ErrorCode != ErrorCode.None)
        {
            read.Dispose();
            return PartitionRead.Failed(read.ErrorCode);
        }

        if (fetchParams.IsFromFollower && updateFetchState)
        {
            error = UpdateFollowerFetchState(
                fetchParams.ReplicaId, request.FetchOffset, request.LogStartOffset, NowMs, logEndOffset, fetchParams.ReplicaEpoch, out var increased);
            if (error != ErrorCode.None)
            {
                read.Dispose();
                return PartitionRead.Failed(error);
            }

            return new PartitionRead(ErrorCode.None, read, null, highWatermark, logStartOffset, logEndOffset) { HighWatermarkIncreased = increased };
        }

        return new PartitionRead(ErrorCode.None, read, null, highWatermark, logStartOffset, logEndOffset);
    }

    /// <summary>
    /// A follower fetched from <paramref name="fetchOffset"/> at <paramref name="fetchTimeMs"/>, when this leader's log
    /// ended at <paramref name="leaderEndOffset"/> (kafka: <c>Partition.updateFollowerFetchState</c>): everything below
    /// the offset is on the follower. May move the high watermark, and may propose the follower's return to the ISR
    /// (<see cref="TakeIsrChange"/> hands it out). NOT_LEADER_OR_FOLLOWER when <paramref name="replicaId"/> is not a
    /// follower here, or fetched with a broker epoch older than its registration's (a broker that restarted since).
    /// </summary>
    public ErrorCode UpdateFollowerFetchState(
        int replicaId, long fetchOffset, long followerStartOffset, long fetchTimeMs, long leaderEndOffset, long brokerEpoch, out bool highWatermarkIncreased)
    {
        highWatermarkIncreased = false;
        var image = _image();
        lock (_stateLock)
        {
            if (_state.LeaderId != LocalBrokerId || !_remoteReplicas.TryGetValue(replicaId, out var replica))
            {
                return ErrorCode.NotLeaderOrFollower;
            }

            if (brokerEpoch != -1 && image.Brokers.TryGetValue(replicaId, out var broker) && broker.BrokerEpoch > brokerEpoch)
            {
                return ErrorCode.NotLeaderOrFollower;
            }

            var previousEndOffset = replica.LogEndOffset;
            _remoteReplicas[replicaId] = replica.AfterFetch(fetchOffset, followerStartOffset, fetchTimeMs, leaderEndOffset, brokerEpoch);
            MaybeExpandIsrLocked(replicaId, image);
            if (previousEndOffset != fetchOffset)
            {
                highWatermarkIncreased = MaybeIncrementLeaderHighWatermarkLocked(fetchTimeMs, image);
            }

            return ErrorCode.None;
        }
    }

    /// <summary>
    /// Proposes to drop the in-sync followers that have not caught up with this leader's log end within
    /// <c>replica.lag.time.max.ms</c> (kafka: <c>Partition.maybeShrinkIsr</c>); nothing while a change is pending.
    /// True when a shrink was proposed (<see cref="TakeIsrChange"/>).
    /// </summary>
    public bool MaybeShrinkIsr()
    {
        var image = _image();
        lock (_stateLock)
        {
            var state = _state;
            if (state.LeaderId != LocalBrokerId || state.Pending is not null || _removed)
            {
                return false;
            }

            var nowMs = NowMs;
            var leaderEndOffset = Log.LogEndOffset;
            var outOfSync = state.Isr
                .Where(id => id != LocalBrokerId
                    && (!_remoteReplicas.TryGetValue(id, out var replica) || !replica.IsCaughtUp(leaderEndOffset, nowMs, _replicaLagTimeMaxMs)))
                .ToImmutableArray();
            if (outOfSync.IsEmpty)
            {
                return false;
            }

            var proposed = state.Isr.RemoveRange(outOfSync);
            Volatile.Write(ref _state, state with { Pending = NewIsrChange(state, proposed, joiningReplica: -1, image) });
            return true;
        }
    }

    /// <summary>The ISR change to send, once: null when none is waiting to be sent.</summary>
    internal PendingIsrChange? TakeIsrChange()
    {
        lock (_stateLock)
        {
            var pending = _state.Pending;
            if (pending is null || _state.PendingSent)
            {
                return null;
            }

            Volatile.Write(ref _state, _state with { PendingSent = true });
            return pending;
        }
    }

    /// <summary>Whether <paramref name="change"/> is still the one pending here (a retry of anything else is moot).</summary>
    internal bool IsPending(PendingIsrChange change) => ReferenceEquals(State.Pending, change);

    /// <summary>
    /// The controller's answer to <paramref name="change"/> (kafka: <c>handleAlterPartitionUpdate</c>,
    /// <c>handleAlterPartitionError</c>). Accepted: the ISR and partition epoch it returns become the committed state,
    /// unless they are for another leader epoch or an older partition epoch. Refused as not attempted or with an
    /// ineligible replica: back to the committed ISR, free to propose again. Refused because this leader's view is
    /// stale (fenced leader epoch, invalid partition epoch, unknown topic, ...): the change stays pending, blocking
    /// others, until the metadata brings the partition's new state. Anything else: <see cref="IsrChangeOutcome.Retry"/>.
    /// </summary>
    internal IsrChangeOutcome CompleteIsrChange(PendingIsrChange change, ErrorCode error, int leaderEpoch, int partitionEpoch, ImmutableArray<int> isr)
    {
        lock (_stateLock)
        {
            var state = _state;
            if (!ReferenceEquals(state.Pending, change))
            {
                return IsrChangeOutcome.Ignored;
            }

            switch (error)
            {
                case ErrorCode.None when leaderEpoch != state.LeaderEpoch || partitionEpoch < state.PartitionEpoch:
                    return IsrChangeOutcome.Stale;
                case ErrorCode.None:
                    Volatile.Write(ref _state, state with { Isr = isr, PartitionEpoch = partitionEpoch, Pending = null, PendingSent = false });
                    return MaybeIncrementLeaderHighWatermarkLocked(NowMs) ? IsrChangeOutcome.AppliedHighWatermarkIncreased : IsrChangeOutcome.Applied;
                case ErrorCode.OperationNotAttempted or ErrorCode.IneligibleReplica:
                    Volatile.Write(ref _state, state with { Pending = null, PendingSent = false });
                    return IsrChangeOutcome.Rejected;
                case ErrorCode.UnknownTopicOrPartition or ErrorCode.UnknownTopicId or ErrorCode.FencedLeaderEpoch
                    or ErrorCode.InvalidUpdateVersion or ErrorCode.InvalidRequest or ErrorCode.NewLeaderElected:
                    return IsrChangeOutcome.Stale;
                default:
                    return IsrChangeOutcome.Retry;
            }
        }
    }

    /// <summary>
    /// Whether an acks=-1 write ending before <paramref name="requiredOffset"/> is done: the high watermark passed it
    /// (None, or NOT_ENOUGH_REPLICAS_AFTER_APPEND when the maximal ISR shrank below <c>min.insync.replicas</c> meanwhile), or
    /// this broker no longer leads (NOT_LEADER_OR_FOLLOWER). Not done otherwise (kafka: <c>Partition.checkEnoughReplicasReachOffset</c>).
    /// </summary>
    public (bool Done, ErrorCode Error) CheckEnoughReplicasReachOffset(long requiredOffset)
    {
        var state = State;
        if (state.LeaderId != LocalBrokerId)
        {
            return (true, ErrorCode.NotLeaderOrFollower);
        }

        if (HighWatermark < requiredOffset)
        {
            return (false, ErrorCode.None);
        }

        return (true, state.MaximalIsr.Length >= MinInSyncReplicas ? ErrorCode.None : ErrorCode.NotEnoughReplicasAfterAppend);
    }

    /// <summary>Moves the high watermark up to the smallest log end offset over the maximal ISR; true when it moved.</summary>
    public bool MaybeIncrementLeaderHighWatermark()
    {
        lock (_stateLock)
        {
            return MaybeIncrementLeaderHighWatermarkLocked(NowMs);
        }
    }

    /// <summary>
    /// OffsetForLeaderEpoch (kafka: <c>Partition.lastOffsetForLeaderEpoch</c>): the request's current leader epoch is
    /// checked first, then leadership when <paramref name="fetchOnlyFromLeader"/>; then the largest epoch at or below
    /// <paramref name="leaderEpoch"/> and where it ends: the start of the next epoch, or the log end for the latest.
    /// (-1, -1) with no error when this log knows no such epoch.
    /// </summary>
    public (ErrorCode Error, int LeaderEpoch, long EndOffset) LastOffsetForLeaderEpoch(int currentLeaderEpoch, int leaderEpoch, bool fetchOnlyFromLeader)
    {
        var error = CheckLeaderEpoch(currentLeaderEpoch);
        if (error == ErrorCode.None && fetchOnlyFromLeader && !IsLeader)
        {
            error = ErrorCode.NotLeaderOrFollower;
        }

        if (error != ErrorCode.None)
        {
            return (error, -1, -1);
        }

        var (epoch, endOffset) = EndOffsetForEpoch(leaderEpoch);
        return (ErrorCode.None, epoch, endOffset);
    }

    /// <summary>The largest epoch at or below <paramref name="leaderEpoch"/> in this log and its end offset; (-1, -1) when unknown.</summary>
    internal (int Epoch, long EndOffset) EndOffsetForEpoch(int leaderEpoch) => Log.EndOffsetForEpoch(leaderEpoch);

    /// <summary>The epoch of the last batch in this log; -1 when it has none.</summary>
    internal int LatestEpoch => Log.LatestEpoch ?? -1;

    /// <summary>
    /// Appends what the leader sent, as follower in <paramref name="leaderEpoch"/> (kafka: <c>ReplicaFetcherThread.processPartitionData</c>):
    /// the batches keep their offsets and epochs; then the high watermark becomes the leader's, bounded by this log's
    /// end, and the log start offset follows the leader's. NOT_LEADER_OR_FOLLOWER when this broker has since become
    /// leader or moved to another epoch (the fetcher's view is stale and its answer dropped).
    /// </summary>
    internal AppendResult AppendRecordsAsFollower(Memory<byte> records, int leaderEpoch, long leaderHighWatermark, long leaderLogStartOffset)
    {
        lock (_stateLock)
        {
            if (!IsFollowingInLocked(leaderEpoch))
            {
                return Refused(ErrorCode.NotLeaderOrFollower, $"{TopicPartition} is no longer a follower in leader epoch {leaderEpoch}.");
            }

            var result = records.IsEmpty
                ? new AppendResult(ErrorCode.None, null, -1, -1, -1, -1, -1, Log.LogStartOffset, 0)
                : Log.AppendAsFollower(records);
            if (result.ErrorCode == ErrorCode.OffsetOutOfRange
                && Log.LogEndOffset == Log.LogStartOffset && result.FirstOffset < Log.LogEndOffset && result.LastOffset >= Log.LogEndOffset)
            {
                // The leader's log start is inside this first batch (DeleteRecords moved it there): an empty log starts
                // at the batch instead, as Kafka's appendRecordsToFollowerOrFutureReplica does.
                Log.TruncateFullyAndStartAt(result.FirstOffset);
                result = Log.AppendAsFollower(records);
            }

            if (result.ErrorCode != ErrorCode.None)
            {
                return result;
            }

            Log.HighWatermark = Math.Min(leaderHighWatermark, Log.LogEndOffset);
            var startOffset = Math.Min(leaderLogStartOffset, Log.HighWatermark);
            if (startOffset > Log.LogStartOffset)
            {
                Log.DeleteRecordsBefore(startOffset);
            }

            return result;
        }
    }

    /// <summary>
    /// Removes every record at or after <paramref name="offset"/>, as follower in <paramref name="leaderEpoch"/>; false when
    /// no longer one. <see cref="KafkaException"/> (KAFKA_STORAGE_ERROR) when the log cannot be truncated.
    /// </summary>
    internal bool TruncateTo(long offset, int leaderEpoch)
    {
        lock (_stateLock)
        {
            if (!IsFollowingInLocked(leaderEpoch))
            {
                return false;
            }

            Log.TruncateTo(offset);
            return true;
        }
    }

    /// <summary>
    /// Empties the log so that it continues at <paramref name="offset"/>, as follower in <paramref name="leaderEpoch"/>;
    /// false when no longer one. <see cref="KafkaException"/> (KAFKA_STORAGE_ERROR) when the log cannot be truncated.
    /// </summary>
    internal bool TruncateFullyAndStartAt(long offset, int leaderEpoch)
    {
        lock (_stateLock)
        {
            if (!IsFollowingInLocked(leaderEpoch))
            {
                return false;
            }

            Log.TruncateFullyAndStartAt(offset);
            return true;
        }
    }

    /// <summary>The partition left this broker: no follower write lands after this, and its log can be deleted.</summary>
    internal void MarkRemoved()
    {
        lock (_stateLock)
        {
            _removed = true;
        }
    }

    /// <summary>What this leader knows of follower <paramref name="replicaId"/>; null when it is not a follower here.</summary>
    internal ReplicaState? FollowerState(int replicaId)
    {
        lock (_stateLock)
        {
            return _remoteReplicas.TryGetValue(replicaId, out var state) ? state : null;
        }
    }

    /// <summary>
    /// Kafka's <c>maybeAssignEpochStartOffset</c> on becoming leader: the new epoch is in the epoch cache before anything
    /// is written in it, so that a follower whose log has a later epoch than any of ours (from a leader that failed
    /// before we fetched it) is told where ours diverged, instead of an epoch we would not know.
    /// </summary>
    private void AssignEpochStartOffset(int leaderEpoch, long startOffset)
    {
        try
        {
            Log.AssignEpochStartOffset(leaderEpoch, startOffset);
        }
        catch (KafkaException exception) when (exception.ErrorCode == ErrorCode.KafkaStorageError)
        {
            // The log's directory went offline: every read and append of the partition answers KAFKA_STORAGE_ERROR from now on.
        }
    }

    private bool IsFollowingInLocked(int leaderEpoch) =>
        !_removed && _state.LeaderId != LocalBrokerId && _state.LeaderEpoch == leaderEpoch;

    private bool MaybeIncrementLeaderHighWatermarkLocked(long nowMs) => MaybeIncrementLeaderHighWatermarkLocked(nowMs, _image());

    /// <summary>
    /// Kafka's <c>maybeIncrementLeaderHW</c>: the smallest log end offset over the maximal ISR, and over followers
    /// outside it that are caught up and eligible to join (so that one catching up is waited for, or it could never
    /// reach the moving high watermark and join).
    /// </summary>
    private bool MaybeIncrementLeaderHighWatermarkLocked(long nowMs, MetadataImage image)
    {
        var state = _state;
        if (state.LeaderId != LocalBrokerId)
        {
            return false;
        }

        var leaderEndOffset = Log.LogEndOffset;
        var newHighWatermark = leaderEndOffset;
        var maximalIsr = state.MaximalIsr;
        foreach (var (replica, replicaState) in _remoteReplicas)
        {
            if (replicaState.LogEndOffset < newHighWatermark
                && (maximalIsr.Contains(replica)
                    || (replicaState.IsCaughtUp(leaderEndOffset, nowMs, _replicaLagTimeMaxMs) && IsReplicaIsrEligible(replica, replicaState, image))))
            {
                newHighWatermark = replicaState.LogEndOffset;
            }
        }

        var old = Log.HighWatermark;
        if (newHighWatermark <= old)
        {
            return false;
        }

        Log.HighWatermark = newHighWatermark;
        return Log.HighWatermark > old;
    }

    /// <summary>
    /// Kafka's <c>maybeExpandIsr</c>: a follower outside the ISR joins once it has reached the high watermark and an
    /// offset of the current leader epoch (or, were this leader to fail before the follower fetched the committed records
    /// between them, the follower could be elected without them), and its broker may join.
    /// </summary>
    private void MaybeExpandIsrLocked(int replicaId, MetadataImage image)
    {
        var state = _state;
        if (state.Pending is not null || state.Isr.Contains(replicaId) || _removed)
        {
            return;
        }

        var replica = _remoteReplicas[replicaId];
        if (!IsReplicaIsrEligible(replicaId, replica, image)
            || replica.LogEndOffset < Log.HighWatermark
            || _leaderEpochStartOffset < 0
            || replica.LogEndOffset < _leaderEpochStartOffset)
        {
            return;
        }

        Volatile.Write(ref _state, state with { Pending = NewIsrChange(state, state.Isr.Add(replicaId), replicaId, image) });
    }

    /// <summary>
    /// KRaft's rule for joining the ISR: the broker is registered and not fenced, and the follower fetched with its
    /// current broker epoch (or with none, -1, from a request version without it).
    /// </summary>
    private static bool IsReplicaIsrEligible(int replicaId, ReplicaState replica, MetadataImage image) =>
        image.Brokers.TryGetValue(replicaId, out var broker)
        && !broker.Fenced
        && replica.BrokerEpoch is { } fetchedEpoch
        && (fetchedEpoch == -1 || fetchedEpoch == broker.BrokerEpoch);

    /// <summary>The change to <paramref name="proposedIsr"/>, each member with its broker epoch: ours from the image, a follower's from its fetches (-1 before one).</summary>
    private PendingIsrChange NewIsrChange(PartitionState state, ImmutableArray<int> proposedIsr, int joiningReplica, MetadataImage image)
    {
        var epochs = ImmutableArray.CreateBuilder<long>(proposedIsr.Length);
        foreach (var replica in proposedIsr)
        {
            epochs.Add(replica == LocalBrokerId
                ? image.Brokers.TryGetValue(replica, out var self) ? self.BrokerEpoch : -1
                : _remoteReplicas.TryGetValue(replica, out var follower) ? follower.BrokerEpoch ?? -1 : -1);
        }

        return new PendingIsrChange(state.Isr, proposedIsr, epochs.MoveToImmutable(), joiningReplica, state.LeaderEpoch, state.PartitionEpoch);
    }

    private AppendResult Refused(ErrorCode code, string message) => new(code, message, -1, -1, -1, -1, -1, LogStartOffset, 0);
}
