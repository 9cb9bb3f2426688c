using Rill.Common;
using Rill.Metadata;
using Rill.Storage;

namespace Rill.Replication;

/// <summary>
/// A partition this broker holds a replica of. Single-node Rill is always its leader and its only in-sync
/// replica, so the high watermark follows the log end offset; followers and ISR changes come with replication.
/// </summary>
public sealed class Partition
{
    private TaskCompletionSource? _appendSignal;

    public Partition(TopicPartition topicPartition, Uuid topicId, Log log, PartitionRegistration registration, int localBrokerId)
    {
        TopicPartition = topicPartition;
        TopicId = topicId;
        Log = log;
        LocalBrokerId = localBrokerId;
        Registration = registration;
        log.HighWatermark = log.LogEndOffset;
    }

    public TopicPartition TopicPartition { get; }

    public Uuid TopicId { get; }

    public Log Log { get; }

    public int LocalBrokerId { get; }

    public PartitionRegistration Registration { get; private set; }

    public int LeaderEpoch => Registration.LeaderEpoch;

    public bool IsLeader => Registration.Leader == LocalBrokerId;

    public long HighWatermark => Log.HighWatermark;

    public void Update(PartitionRegistration registration) => Registration = registration;

    public AppendResult AppendAsLeader(Memory<byte> records) => AppendAsLeader(records, AppendOrigin.Client);

    public AppendResult AppendAsLeader(Memory<byte> records, AppendOrigin origin)
    {
        var result = Log.AppendAsLeader(records, LeaderEpoch, origin);
        if (result.ErrorCode == ErrorCode.None)
        {
            // The leader is the whole ISR here, so what it has written is committed.
            Log.HighWatermark = Log.LogEndOffset;
            Interlocked.Exchange(ref _appendSignal, null)?.TrySetResult();
        }

        return result;
    }

    /// <summary>A task that completes at the next successful append: long-polling fetches wait on it instead of a timer.</summary>
    public Task NextAppend()
    {
        var signal = Volatile.Read(ref _appendSignal);
        if (signal is not null)
        {
            return signal.Task;
        }

        var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (Interlocked.CompareExchange(ref _appendSignal, created, null) ?? created).Task;
    }

    /// <summary>Wakes anyone waiting on <see cref="NextAppend"/>, e.g. because the partition is going away.</summary>
    public void WakeWaiters() => Interlocked.Exchange(ref _appendSignal, null)?.TrySetResult();
}
