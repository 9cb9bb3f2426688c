using Microsoft.Extensions.Logging;
using Rill.Common;
using Rill.Protocol.Messages;

namespace Rill.Replication;

public sealed partial class ReplicaManager
{
    /// <summary>
    /// The ISR expiration check (kafka: <c>ReplicaManager.maybeShrinkIsr</c>, every half <c>replica.lag.time.max.ms</c>):
    /// each partition led here drops the followers that have not caught up within the lag allowed.
    /// </summary>
    internal void MaybeShrinkIsrs()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        foreach (var partition in _partitions.Values)
        {
            if (partition.IsLeader && partition.MaybeShrinkIsr())
            {
                SendPendingIsrChange(partition);
            }
        }
    }

    /// <summary>Sends the partition's pending ISR change unless it was sent already; one change per partition is in flight.</summary>
    private void SendPendingIsrChange(Partition partition)
    {
        if (partition.State is not { Pending: not null, PendingSent: false } || partition.TakeIsrChange() is not { } change)
        {
            return;
        }

        LogIsrChange(partition, change);
        // Off the caller's path (a follower's fetch, the expiration timer); owned until it ends, awaited at shutdown.
        var task = Task.Run(() => SendIsrChangeAsync(partition, change, _stopping.Token));
        _isrChanges.TryAdd(task, 0);
        _ = task.ContinueWith(done => _isrChanges.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Sends the change until the controller answers it for good (kafka: <c>Partition.submitAlterPartition</c>).</summary>
    private async Task SendIsrChangeAsync(Partition partition, PendingIsrChange change, CancellationToken cancellationToken)
    {
        var topicPartition = partition.TopicPartition;
        while (!cancellationToken.IsCancellationRequested && partition.IsPending(change))
        {
            ErrorCode error;
            var leaderEpoch = -1;
            var partitionEpoch = -1;
            var isr = change.CommittedIsr;
            try
            {
                var response = await _alterPartition.SendAsync(AlterPartitionRequestOf(partition, change), cancellationToken);
                error = (ErrorCode)response.ErrorCode;
                if (error == ErrorCode.None)
                {
                    var answer = response.Topics.Where(t => t.TopicId == partition.TopicId)
                        .SelectMany(t => t.Partitions)
                        .FirstOrDefault(p => p.PartitionIndex == topicPartition.Partition);
                    if (answer is null)
                    {
                        // Kafka's AlterPartitionManager treats a partition missing from the answer as a failure to try again.
                        error = ErrorCode.UnknownServerError;
                    }
                    else
                    {
                        error = (ErrorCode)answer.ErrorCode;
                        leaderEpoch = answer.LeaderEpoch;
                        partitionEpoch = answer.PartitionEpoch;
                        isr = [.. answer.Isr];
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The controller unreachable, a timeout, a failure of the channel: the change is still wanted, so it is sent again.
                ReplicationLog.AlterPartitionFailed(_logger, topicPartition.Topic, topicPartition.Partition, exception.Message);
                error = ErrorCode.NetworkException;
            }

            switch (partition.CompleteIsrChange(change, error, leaderEpoch, partitionEpoch, isr))
            {
                case IsrChangeOutcome.Applied:
                    LogIsrUpdated(topicPartition, isr, partitionEpoch);
                    return;
                case IsrChangeOutcome.AppliedHighWatermarkIncreased:
                    LogIsrUpdated(topicPartition, isr, partitionEpoch);
                    CompleteDelayedRequests(topicPartition);
                    return;
                case IsrChangeOutcome.Retry:
                    ReplicationLog.AlterPartitionRetried(_logger, topicPartition.Topic, topicPartition.Partition, error);
                    await Task.Delay(TimeSpan.FromMilliseconds(AlterPartitionRetryBackoffMs), _time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    break;
                case IsrChangeOutcome.Rejected or IsrChangeOutcome.Stale:
                    ReplicationLog.AlterPartitionRefused(_logger, topicPartition.Topic, topicPartition.Partition, error);
                    return;
                default:
                    return;
            }
        }
    }

    private void LogIsrChange(Partition partition, PendingIsrChange change)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var topicPartition = partition.TopicPartition;
        var committed = string.Join(",", change.CommittedIsr);
        var proposed = string.Join(",", change.ProposedIsr);
        if (change.IsExpansion)
        {
            ReplicationLog.ExpandingIsr(_logger, topicPartition.Topic, topicPartition.Partition, committed, proposed, change.JoiningReplica);
            return;
        }

        var outOfSync = string.Join(" ", change.CommittedIsr.Where(id => !change.ProposedIsr.Contains(id)).Select(id =>
            partition.FollowerState(id) is { } state
                ? $"(brokerId: {id}, endOffset: {state.LogEndOffset}, lastCaughtUpTimeMs: {state.LastCaughtUpTimeMs})"
                : $"(brokerId: {id}, endOffset: unknown, lastCaughtUpTimeMs: unknown)"));
        ReplicationLog.ShrinkingIsr(_logger, topicPartition.Topic, topicPartition.Partition, committed, proposed,
            partition.HighWatermark, partition.LogEndOffset, outOfSync);
    }

    private void LogIsrUpdated(TopicPartition topicPartition, IEnumerable<int> isr, int partitionEpoch)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            var members = string.Join(",", isr);
            ReplicationLog.IsrUpdated(_logger, topicPartition.Topic, topicPartition.Partition, members, partitionEpoch);
        }
    }

    /// <summary>Kafka's AlterPartition v3 for one partition: this leader's broker id and epoch, the new ISR with broker epochs, the epochs it came from.</summary>
    private AlterPartitionRequest AlterPartitionRequestOf(Partition partition, PendingIsrChange change)
    {
        var partitionData = new AlterPartitionRequest.PartitionData
        {
            PartitionIndex = partition.TopicPartition.Partition,
            LeaderEpoch = change.LeaderEpoch,
            NewIsr = [.. change.ProposedIsr],
            LeaderRecoveryState = 0,
            PartitionEpoch = change.PartitionEpoch,
        };
        for (var i = 0; i < change.ProposedIsr.Length; i++)
        {
            partitionData.NewIsrWithEpochs.Add(new AlterPartitionRequest.BrokerState { BrokerId = change.ProposedIsr[i], BrokerEpoch = change.ProposedBrokerEpochs[i] });
        }

        var topic = new AlterPartitionRequest.TopicData { TopicName = partition.TopicPartition.Topic, TopicId = partition.TopicId };
        topic.Partitions.Add(partitionData);
        var request = new AlterPartitionRequest { BrokerId = _localBrokerId, BrokerEpoch = LocalBrokerEpoch() };
        request.Topics.Add(topic);
        return request;
    }
}
