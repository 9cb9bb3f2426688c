using System.Collections.Immutable;
using Rill.Common;
using Rill.Metadata;
using Rill.Storage;

namespace Rill.Replication;

/// <summary>
/// A partition this broker holds a replica of: the one place that checks leader epochs and moves the high
/// watermark. As leader it tracks each follower's log end offset, learned from its fetches, and advances the
/// high watermark to the smallest log end offset over the in-sync replicas, never backwards (kafka:
/// <c>Partition.updateFollowerFetchState</c>, <c>maybeIncrementLeaderHW</c>). On one node the leader alone is the
/// ISR, so the high watermark follows its log end offset through that same rule.
/// </summary>
public sealed class Partition
{
    /// <summary>A follower whose position the leader has not heard since it became leader (kafka: UnknownOffset).</summary>
    private const long UnknownOffset = -1;

    private readonly Lock _stateLock = new();
    private readonly Dictionary<int, long> _followerLogEndOffsets = [];
    private PartitionRegistration _registration;

    public Partition(TopicPartition topicPartition, Uuid topicId, Log log, PartitionRegistration registration, int localBrokerId)
    {
        TopicPartition = topicPartition;
        TopicId = topicId;
        Log = log;
        LocalBrokerId = localBrokerId;
        _registration = registration;
        ResetFollowers(registration);
        MaybeIncrementLeaderHighWatermark();
    }

    public TopicPartition TopicPartition { get; }

    public Uuid TopicId { get; }

    public int LocalBrokerId { get; }

    public PartitionRegistration Registration => Volatile.Read(ref _registration);

    public int LeaderEpoch => Registration.LeaderEpoch;

    public bool IsLeader => Registration.Leader == LocalBrokerId;

    public ImmutableArray<int> Isr => Registration.Isr;

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
    /// A new registration from the metadata. Returns true when leadership or the leader epoch changed, so waiting
    /// operations can be woken to answer with the new state. A new leader epoch forgets the followers' positions:
    /// they are learned again from their next fetches.
    /// </summary>
    public bool Update(PartitionRegistration registration)
    {
        lock (_stateLock)
        {
            var before = _registration;
            Volatile.Write(ref _registration, registration);
            var leadershipChanged = before.Leader != registration.Leader || before.LeaderEpoch != registration.LeaderEpoch;
            if (leadershipChanged || !before.Replicas.SequenceEqual(registration.Replicas))
            {
                ResetFollowers(registration);
            }

            MaybeIncrementLeaderHighWatermarkLocked();
            return leadershipChanged;
        }
    }

    /// <summary>
    /// Appends a producer's (or the coordinator's) records as leader. With acks=-1 the write is refused with
    /// NOT_ENOUGH_REPLICAS, before anything is stored, when the ISR is smaller than <c>min.insync.replicas</c>
    /// (kafka: <c>Partition.appendRecordsToLeader</c>). <paramref name="highWatermarkIncreased"/> tells the caller to
    /// complete operations waiting for it.
    /// </summary>
    public AppendResult AppendRecordsToLeader(Memory<byte> records, AppendOrigin origin, short requiredAcks, out bool highWatermarkIncreased)
    {
        highWatermarkIncreased = false;
        var registration = Registration;
        if (registration.Leader != LocalBrokerId)
        {
            return Refused(ErrorCode.NotLeaderOrFollower, $"This broker is not the leader of {TopicPartition}.");
        }

        var minIsr = MinInSyncReplicas;
        if (requiredAcks == -1 && registration.Isr.Length < minIsr)
        {
            return Refused(ErrorCode.NotEnoughReplicas,
                $"The size of the current ISR [{string.Join(", ", registration.Isr)}] is insufficient to satisfy the min.isr requirement of {minIsr} for partition {TopicPartition}");
        }

        var result = Log.AppendAsLeader(records, registration.LeaderEpoch, origin);
        if (result.ErrorCode == ErrorCode.None)
        {
            highWatermarkIncreased = MaybeIncrementLeaderHighWatermark();
        }

        return result;
    }

    /// <summary>
    /// A follower fetched from <paramref name="fetchOffset"/>: everything below it is on that follower. False when
    /// <paramref name="replicaId"/> is not a replica of this partition.
    /// </summary>
    public bool UpdateFollowerFetchState(int replicaId, long fetchOffset, out bool highWatermarkIncreased)
    {
        lock (_stateLock)
        {
            highWatermarkIncreased = false;
            if (!_followerLogEndOffsets.ContainsKey(replicaId))
            {
                return false;
            }

            _followerLogEndOffsets[replicaId] = fetchOffset;
            highWatermarkIncreased = MaybeIncrementLeaderHighWatermarkLocked();
            return true;
        }
    }

    /// <summary>
    /// Whether an acks=-1 write ending before <paramref name="requiredOffset"/> is done: the high watermark passed it
    /// (None, or NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below <c>min.insync.replicas</c> meanwhile), or this
    /// broker no longer leads (NOT_LEADER_OR_FOLLOWER). Not done otherwise (kafka: <c>Partition.checkEnoughReplicasReachOffset</c>).
    /// </summary>
    public (bool Done, ErrorCode Error) CheckEnoughReplicasReachOffset(long requiredOffset)
    {
        var registration = Registration;
        if (registration.Leader != LocalBrokerId)
        {
            return (true, ErrorCode.NotLeaderOrFollower);
        }

        if (HighWatermark < requiredOffset)
        {
            return (false, ErrorCode.None);
        }

        return (true, registration.Isr.Length >= MinInSyncReplicas ? ErrorCode.None : ErrorCode.NotEnoughReplicasAfterAppend);
    }

    /// <summary>Moves the high watermark up to the smallest log end offset over the ISR; true when it moved.</summary>
    public bool MaybeIncrementLeaderHighWatermark()
    {
        lock (_stateLock)
        {
            return MaybeIncrementLeaderHighWatermarkLocked();
        }
    }

    private bool MaybeIncrementLeaderHighWatermarkLocked()
    {
        var registration = _registration;
        if (registration.Leader != LocalBrokerId)
        {
            return false;
        }

        var newHighWatermark = Log.LogEndOffset;
        foreach (var replica in registration.Isr)
        {
            if (replica != LocalBrokerId)
            {
                var followerEnd = _followerLogEndOffsets.GetValueOrDefault(replica, UnknownOffset);
                newHighWatermark = Math.Min(newHighWatermark, followerEnd);
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

    private void ResetFollowers(PartitionRegistration registration)
    {
        _followerLogEndOffsets.Clear();
        foreach (var replica in registration.Replicas)
        {
            if (replica != LocalBrokerId)
            {
                _followerLogEndOffsets[replica] = UnknownOffset;
            }
        }
    }

    private AppendResult Refused(ErrorCode code, string message) => new(code, message, -1, -1, -1, -1, -1, LogStartOffset, 0);
}
