using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Rill.Client;
using Rill.Common;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Replication;

/// <summary>
/// Fetches every partition this broker follows from one leader, over one connection (kafka: <c>AbstractFetcherThread</c>,
/// <c>ReplicaFetcherThread</c>, <c>RemoteLeaderEndPoint</c>). A loop sends Fetch as a replica, for each ready partition
/// from its log end offset with its leader epoch and the epoch of its last batch; appends what comes back, takes the
/// leader's high watermark and log start offset; truncates where the leader reports a diverging epoch; resets the
/// fetch offset from the leader's ListOffsets when it answers OFFSET_OUT_OF_RANGE; and backs off
/// <c>replica.fetch.backoff.ms</c> on the injected clock after a failed fetch, connection or partition error. A
/// partition fenced in the epoch this fetcher knows stops until the metadata moves it on.
/// </summary>
internal sealed class ReplicaFetcher : IAsyncDisposable
{
    /// <summary>Fetch v12 brings LastFetchedEpoch and the diverging epoch: a leader without it cannot be followed safely.</summary>
    private const short MinimumFetchVersion = 12;

    private const short FirstTopicIdVersion = 13;
    private const short FirstReplicaStateVersion = 15;

    /// <summary>ListOffsets v4 carries the current leader epoch.</summary>
    private const short MinimumListOffsetsVersion = 4;

    private const long LatestTimestamp = -1;
    private const long EarliestTimestamp = -2;

    private readonly Lock _lock = new();
    private readonly Dictionary<TopicPartition, PartitionFetchState> _partitions = [];

    /// <summary>Partitions stopped under the lock, told to <see cref="_onFailed"/> once it is released (its handler takes other locks).</summary>
    private readonly List<(TopicPartition TopicPartition, int LeaderEpoch)> _failed = [];
    private readonly ReplicaFetcherConfig _config;
    private readonly IKafkaTransport _transport;
    private readonly Func<long> _brokerEpoch;
    private readonly Action<TopicPartition, LeaderEndpoint, int> _onFailed;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private TaskCompletionSource _wakeup = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private KafkaConnection? _connection;

    /// <param name="brokerEpoch">This broker's current epoch, sent with each fetch so that the leader can fence a restarted broker's old fetches.</param>
    /// <param name="onFailed">Told of a partition this fetcher stopped until the metadata changes (fenced, or its log failed), with this leader and the epoch it was fetched in.</param>
    public ReplicaFetcher(
        LeaderEndpoint leader,
        ReplicaFetcherConfig config,
        IKafkaTransport transport,
        Func<long> brokerEpoch,
        Action<TopicPartition, LeaderEndpoint, int> onFailed,
        TimeProvider time,
        ILogger logger)
    {
        Leader = leader;
        _config = config;
        _transport = transport;
        _brokerEpoch = brokerEpoch;
        _onFailed = onFailed;
        _time = time;
        _logger = logger;
        _loop = Task.Run(() => RunAsync(_stopping.Token));
    }

    public LeaderEndpoint Leader { get; }

    public int PartitionCount
    {
        get
        {
            lock (_lock)
            {
                return _partitions.Count;
            }
        }
    }

    /// <summary>Where the fetcher will fetch <paramref name="topicPartition"/> from next; null when it does not fetch it.</summary>
    public (long FetchOffset, int LeaderEpoch)? FetchPosition(TopicPartition topicPartition)
    {
        lock (_lock)
        {
            return _partitions.TryGetValue(topicPartition, out var state) ? (state.FetchOffset, state.LeaderEpoch) : null;
        }
    }

    /// <summary>
    /// Starts fetching a partition, or moves it to a new leader epoch. A partition already fetched in the same epoch keeps
    /// its position (kafka: <c>AbstractFetcherThread.addPartitions</c>).
    /// </summary>
    public void Add(InitialFetchState initial)
    {
        lock (_lock)
        {
            var topicPartition = initial.Partition.TopicPartition;
            if (_partitions.TryGetValue(topicPartition, out var current) && current.LeaderEpoch == initial.LeaderEpoch && ReferenceEquals(current.Partition, initial.Partition))
            {
                return;
            }

            _partitions[topicPartition] = new PartitionFetchState(initial.Partition, initial.FetchOffset, initial.LeaderEpoch, initial.Partition.LatestEpoch);
        }

        Wake();
    }

    public bool Remove(TopicPartition topicPartition)
    {
        lock (_lock)
        {
            return _partitions.Remove(topicPartition);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        await _loop;
        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeAsync();
        }

        _stopping.Dispose();
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void Wake()
    {
        TaskCompletionSource wakeup;
        lock (_lock)
        {
            wakeup = _wakeup;
            _wakeup = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        wakeup.TrySetResult();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await FetchOnceAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // A bug, not a fetch failure (those are handled where they happen): keep the other partitions going after a pause.
                ReplicationLog.FetcherFailed(_logger, exception, Leader);
                BackOff(SnapshotPartitions());
                DropConnection();
            }
        }
    }

    private async Task FetchOnceAsync(CancellationToken cancellationToken)
    {
        var (ready, wakeAtMs, wakeup) = ReadyPartitions();
        if (ready.Count == 0)
        {
            await WaitAsync(wakeup, wakeAtMs, cancellationToken);
            return;
        }

        var connection = await ConnectAsync(cancellationToken);
        if (connection is null)
        {
            BackOff(ready);
            return;
        }

        if (!connection.Versions.TryNegotiate(ApiKey.Fetch, MinimumFetchVersion, FetchRequest.HighestSupportedVersion, out var version))
        {
            ReplicationLog.LeaderTooOld(_logger, Leader, connection.Versions.Unsupported(ApiKey.Fetch, MinimumFetchVersion, FetchRequest.HighestSupportedVersion).Message);
            BackOff(ready);
            DropConnection();
            return;
        }

        FetchResponse response;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(_config.RequestTimeoutMs), _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            response = await connection.SendAsync<FetchRequest, FetchResponse>(BuildFetch(ready, version), version, linked.Token);
        }
        catch (Exception exception) when (IsFetchFailure(exception, cancellationToken))
        {
            ReplicationLog.FetchFailed(_logger, Leader, exception.Message);
            BackOff(ready);
            DropConnection();
            return;
        }

        if (response.ErrorCode != (short)ErrorCode.None)
        {
            ReplicationLog.FetchFailed(_logger, Leader, $"the fetch was answered with {(ErrorCode)response.ErrorCode}");
            BackOff(ready);
            return;
        }

        var outOfRange = ProcessResponse(response, ready, version);
        NotifyFailed();
        foreach (var sent in outOfRange)
        {
            await HandleOutOfRangeAsync(connection, sent, cancellationToken);
            NotifyFailed();
        }
    }

    private (List<SentPartition> Ready, long WakeAtMs, Task Wakeup) ReadyPartitions()
    {
        var nowMs = NowMs;
        var ready = new List<SentPartition>();
        var wakeAtMs = long.MaxValue;
        lock (_lock)
        {
            foreach (var (topicPartition, state) in _partitions)
            {
                if (state.DelayedUntilMs <= nowMs)
                {
                    ready.Add(new SentPartition(topicPartition, state.Partition, state.FetchOffset, state.LeaderEpoch, state.LastFetchedEpoch));
                }
                else
                {
                    wakeAtMs = Math.Min(wakeAtMs, state.DelayedUntilMs);
                }
            }

            return (ready, wakeAtMs, _wakeup.Task);
        }
    }

    /// <summary>Until a partition is added or the earliest backoff ends, on the injected clock.</summary>
    private async Task WaitAsync(Task wakeup, long wakeAtMs, CancellationToken cancellationToken)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stopped = Task.Delay(Timeout.Infinite, waiting.Token);
        var timer = wakeAtMs == long.MaxValue ? stopped : Task.Delay(TimeSpan.FromMilliseconds(Math.Max(wakeAtMs - NowMs, 0)), _time, waiting.Token);
        await Task.WhenAny(wakeup, stopped, timer);
        await waiting.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    private async Task<KafkaConnection?> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_connection is { Failure: null } open)
        {
            return open;
        }

        DropConnection();
        var options = new KafkaConnectionOptions
        {
            ClientId = $"broker-{_config.LocalBrokerId}-fetcher-{Leader.BrokerId}",
            Transport = _transport,
            TimeProvider = _time,
        };
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(_config.RequestTimeoutMs), _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            _connection = await KafkaConnection.ConnectAsync(Leader.Host, Leader.Port, options, linked.Token);
            return _connection;
        }
        catch (Exception exception) when (IsFetchFailure(exception, cancellationToken))
        {
            ReplicationLog.FetchFailed(_logger, Leader, exception.Message);
            return null;
        }
    }

    private void DropConnection()
    {
        if (_connection is { } connection)
        {
            _connection = null;

            // Disposing fails what is pending on it and waits for its read loop; nothing of ours waits on it any more.
            _ = connection.DisposeAsync().AsTask();
        }
    }

    /// <summary>The connection or the leader failed, or the request timed out; not a stop of this fetcher.</summary>
    private static bool IsFetchFailure(Exception exception, CancellationToken stopping) => exception switch
    {
        OperationCanceledException => !stopping.IsCancellationRequested,
        IOException or ProtocolException or KafkaException => true,
        _ => false,
    };

    private FetchRequest BuildFetch(List<SentPartition> ready, short version)
    {
        var request = new FetchRequest
        {
            ReplicaId = _config.LocalBrokerId,
            MaxWaitMs = _config.MaxWaitMs,
            MinBytes = _config.MinBytes,
            MaxBytes = _config.ResponseMaxBytes,
            IsolationLevel = 0,
            SessionId = 0,

            // -1 with session id 0: a full fetch outside any fetch session.
            SessionEpoch = -1,
        };
        if (version >= FirstReplicaStateVersion)
        {
            request.ReplicaState.ReplicaId = _config.LocalBrokerId;
            request.ReplicaState.ReplicaEpoch = _brokerEpoch();
        }

        var topics = new Dictionary<string, FetchRequest.FetchTopic>(StringComparer.Ordinal);
        foreach (var sent in ready)
        {
            if (!topics.TryGetValue(sent.TopicPartition.Topic, out var topic))
            {
                topic = new FetchRequest.FetchTopic { Topic = sent.TopicPartition.Topic, TopicId = sent.Partition.TopicId };
                topics.Add(sent.TopicPartition.Topic, topic);
                request.Topics.Add(topic);
            }

            topic.Partitions.Add(new FetchRequest.FetchPartition
            {
                Partition = sent.TopicPartition.Partition,
                CurrentLeaderEpoch = sent.LeaderEpoch,
                FetchOffset = sent.FetchOffset,
                LastFetchedEpoch = sent.LastFetchedEpoch,
                LogStartOffset = sent.Partition.LogStartOffset,
                PartitionMaxBytes = _config.PartitionMaxBytes,
            });
        }

        return request;
    }

    /// <summary>Applies each partition's answer; returns the partitions the leader answered OFFSET_OUT_OF_RANGE, to reset outside the lock.</summary>
    private List<SentPartition> ProcessResponse(FetchResponse response, List<SentPartition> sent, short version)
    {
        var answers = new Dictionary<(Uuid TopicId, string Topic, int Partition), FetchResponse.PartitionData>();
        foreach (var topic in response.Responses)
        {
            foreach (var partition in topic.Partitions)
            {
                answers[(version >= FirstTopicIdVersion ? topic.TopicId : Uuid.Zero, version >= FirstTopicIdVersion ? string.Empty : topic.Topic, partition.PartitionIndex)] = partition;
            }
        }

        var outOfRange = new List<SentPartition>();
        var retry = new List<SentPartition>();
        lock (_lock)
        {
            foreach (var request in sent)
            {
                var key = version >= FirstTopicIdVersion
                    ? (request.Partition.TopicId, string.Empty, request.TopicPartition.Partition)
                    : (Uuid.Zero, request.TopicPartition.Topic, request.TopicPartition.Partition);

                // A partition removed, moved to another epoch or reset while the fetch was out is answered by the next one.
                if (!answers.TryGetValue(key, out var answer)
                    || !_partitions.TryGetValue(request.TopicPartition, out var state)
                    || !state.Matches(request))
                {
                    continue;
                }

                switch ((ErrorCode)answer.ErrorCode)
                {
                    case ErrorCode.None:
                        ProcessPartitionData(request, state, answer, retry);
                        break;
                    case ErrorCode.OffsetOutOfRange:
                        outOfRange.Add(request);
                        break;
                    case ErrorCode.FencedLeaderEpoch:
                        // The leader is in a newer epoch than the one we fetched in; if that is still the newest we know, wait for the metadata.
                        FailLocked(request.TopicPartition, $"the leader fenced leader epoch {request.LeaderEpoch}; waiting for newer metadata");
                        break;
                    default:
                        // NOT_LEADER_OR_FOLLOWER, UNKNOWN_LEADER_EPOCH, UNKNOWN_TOPIC_ID, ...: the leader's metadata may be behind ours, or ours behind.
                        ReplicationLog.PartitionFetchError(_logger, request.TopicPartition.Topic, request.TopicPartition.Partition, Leader, (ErrorCode)answer.ErrorCode);
                        retry.Add(request);
                        break;
                }
            }

            BackOffLocked(retry);
        }

        return outOfRange;
    }

    private void ProcessPartitionData(SentPartition request, PartitionFetchState state, FetchResponse.PartitionData answer, List<SentPartition> retry)
    {
        var partition = state.Partition;
        var topicPartition = request.TopicPartition;
        try
        {
            if (answer.DivergingEpoch.Epoch >= 0 || answer.DivergingEpoch.EndOffset >= 0)
            {
                // Nothing of this answer is applied (records, high watermark): the next fetch, after the truncation, brings them.
                var offset = TruncationOffset(partition, state.FetchOffset, answer.DivergingEpoch.Epoch, answer.DivergingEpoch.EndOffset);
                ReplicationLog.TruncatingOnDivergence(_logger, topicPartition.Topic, topicPartition.Partition, offset,
                    answer.DivergingEpoch.Epoch, answer.DivergingEpoch.EndOffset, partition.LogEndOffset);
                if (!partition.TruncateTo(offset, state.LeaderEpoch))
                {
                    _partitions.Remove(topicPartition);
                    return;
                }

                state.Reset(offset, partition.LatestEpoch);
                return;
            }

            if (state.FetchOffset != partition.LogEndOffset)
            {
                FailLocked(topicPartition, $"the fetch offset {state.FetchOffset} is not the log end offset {partition.LogEndOffset}");
                return;
            }

            var records = MemoryMarshal.AsMemory(answer.Records ?? ReadOnlyMemory<byte>.Empty);
            var appended = partition.AppendRecordsAsFollower(records, state.LeaderEpoch, answer.HighWatermark, answer.LogStartOffset);
            switch (appended.ErrorCode)
            {
                case ErrorCode.None:
                    state.Advance(partition.LogEndOffset, partition.LatestEpoch);
                    break;
                case ErrorCode.NotLeaderOrFollower:
                    // This broker left the follower role or the epoch since the fetch was sent; the metadata handles it.
                    _partitions.Remove(topicPartition);
                    break;
                case ErrorCode.CorruptMessage or ErrorCode.InvalidRecord:
                    // Kafka logs and fetches again: a transient state of the leader's log (a truncation under the read) heals.
                    ReplicationLog.InvalidRecordsFetched(_logger, topicPartition.Topic, topicPartition.Partition, state.FetchOffset, appended.ErrorMessage ?? appended.ErrorCode.ToString());
                    retry.Add(request);
                    break;
                default:
                    FailLocked(topicPartition, $"appending at offset {state.FetchOffset} failed with {appended.ErrorCode}: {appended.ErrorMessage}");
                    break;
            }
        }
        catch (KafkaException exception)
        {
            // The log failed under a truncation (its directory goes offline): nothing more can be written to it.
            FailLocked(topicPartition, exception.Message);
        }
    }

    /// <summary>
    /// Kafka's <c>getOffsetTruncationState</c>: where this log diverges from the leader's, given the leader's end offset
    /// of <paramref name="leaderEpoch"/> (the largest epoch it has at or below our last fetched one). When we know that
    /// epoch too, the smaller of the two ends; when we do not, the end of our largest epoch below it (a next fetch
    /// narrows it down further); never past our log end.
    /// </summary>
    private static long TruncationOffset(Partition partition, long fetchOffset, int leaderEpoch, long leaderEndOffset)
    {
        var logEndOffset = partition.LogEndOffset;
        if (leaderEndOffset < 0)
        {
            return fetchOffset;
        }

        if (leaderEpoch < 0)
        {
            return Math.Min(leaderEndOffset, logEndOffset);
        }

        var (localEpoch, localEndOffset) = partition.EndOffsetForEpoch(leaderEpoch);
        if (localEpoch < 0 || localEndOffset < 0)
        {
            return Math.Min(leaderEndOffset, logEndOffset);
        }

        return localEpoch != leaderEpoch
            ? Math.Min(localEndOffset, logEndOffset)
            : Math.Min(Math.Min(localEndOffset, leaderEndOffset), logEndOffset);
    }

    /// <summary>
    /// Kafka's <c>fetchOffsetAndTruncate</c>: asks the leader for its log end offset; ahead of it (the leader was elected
    /// uncleanly, or truncated), truncate to it; behind its log start (retention moved on while we were away), start over
    /// at its log start; otherwise fetch again from our log end.
    /// </summary>
    private async Task HandleOutOfRangeAsync(KafkaConnection connection, SentPartition sent, CancellationToken cancellationToken)
    {
        var topicPartition = sent.TopicPartition;
        var partition = sent.Partition;
        var (error, leaderEndOffset) = await ListOffsetAsync(connection, sent, LatestTimestamp, cancellationToken);
        var leaderStartOffset = -1L;
        if (error == ErrorCode.None && leaderEndOffset >= partition.LogEndOffset)
        {
            (error, leaderStartOffset) = await ListOffsetAsync(connection, sent, EarliestTimestamp, cancellationToken);
        }

        lock (_lock)
        {
            if (!_partitions.TryGetValue(topicPartition, out var state) || !state.Matches(sent))
            {
                return;
            }

            switch (error)
            {
                case ErrorCode.None:
                    break;
                case ErrorCode.FencedLeaderEpoch:
                    FailLocked(topicPartition, $"the leader fenced leader epoch {sent.LeaderEpoch}; waiting for newer metadata");
                    return;
                default:
                    ReplicationLog.PartitionFetchError(_logger, topicPartition.Topic, topicPartition.Partition, Leader, error);
                    BackOffLocked([sent]);
                    return;
            }

            var logEndOffset = partition.LogEndOffset;
            long fetchOffset;
            bool done;
            try
            {
                if (leaderEndOffset < logEndOffset)
                {
                    ReplicationLog.ResetToLeaderEnd(_logger, topicPartition.Topic, topicPartition.Partition, logEndOffset, leaderEndOffset);
                    fetchOffset = leaderEndOffset;
                    done = partition.TruncateTo(leaderEndOffset, sent.LeaderEpoch);
                }
                else if (leaderStartOffset > logEndOffset)
                {
                    ReplicationLog.ResetToLeaderStart(_logger, topicPartition.Topic, topicPartition.Partition, logEndOffset, leaderStartOffset);
                    fetchOffset = leaderStartOffset;
                    done = partition.TruncateFullyAndStartAt(leaderStartOffset, sent.LeaderEpoch);
                }
                else
                {
                    fetchOffset = logEndOffset;
                    done = true;
                }
            }
            catch (KafkaException exception)
            {
                FailLocked(topicPartition, exception.Message);
                return;
            }

            if (!done)
            {
                _partitions.Remove(topicPartition);
                return;
            }

            state.Reset(fetchOffset, partition.LatestEpoch);
        }
    }

    private async Task<(ErrorCode Error, long Offset)> ListOffsetAsync(KafkaConnection connection, SentPartition sent, long timestamp, CancellationToken cancellationToken)
    {
        if (!connection.Versions.TryNegotiate(ApiKey.ListOffsets, MinimumListOffsetsVersion, ListOffsetsRequest.HighestSupportedVersion, out var version))
        {
            return (ErrorCode.UnsupportedVersion, -1);
        }

        var request = new ListOffsetsRequest { ReplicaId = _config.LocalBrokerId, IsolationLevel = 0 };
        var topic = new ListOffsetsRequest.ListOffsetsTopic { Name = sent.TopicPartition.Topic };
        topic.Partitions.Add(new ListOffsetsRequest.ListOffsetsPartition
        {
            PartitionIndex = sent.TopicPartition.Partition,
            CurrentLeaderEpoch = sent.LeaderEpoch,
            Timestamp = timestamp,
        });
        request.Topics.Add(topic);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(_config.RequestTimeoutMs), _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            var response = await connection.SendAsync<ListOffsetsRequest, ListOffsetsResponse>(request, version, linked.Token);
            foreach (var answeredTopic in response.Topics)
            {
                foreach (var answered in answeredTopic.Partitions)
                {
                    if (answeredTopic.Name == sent.TopicPartition.Topic && answered.PartitionIndex == sent.TopicPartition.Partition)
                    {
                        return ((ErrorCode)answered.ErrorCode, answered.Offset);
                    }
                }
            }

            return (ErrorCode.UnknownTopicOrPartition, -1);
        }
        catch (Exception exception) when (IsFetchFailure(exception, cancellationToken))
        {
            ReplicationLog.FetchFailed(_logger, Leader, exception.Message);
            DropConnection();
            return (ErrorCode.NetworkException, -1);
        }
    }

    private List<SentPartition> SnapshotPartitions()
    {
        lock (_lock)
        {
            return [.. _partitions.Select(entry => new SentPartition(entry.Key, entry.Value.Partition, entry.Value.FetchOffset, entry.Value.LeaderEpoch, entry.Value.LastFetchedEpoch))];
        }
    }

    private void BackOff(List<SentPartition> partitions)
    {
        lock (_lock)
        {
            BackOffLocked(partitions);
        }
    }

    private void BackOffLocked(List<SentPartition> partitions)
    {
        var until = NowMs + _config.BackoffMs;
        foreach (var sent in partitions)
        {
            if (_partitions.TryGetValue(sent.TopicPartition, out var state) && state.Matches(sent))
            {
                state.DelayedUntilMs = until;
            }
        }
    }

    /// <summary>Stops fetching the partition until the metadata hands it over again (kafka: <c>markPartitionFailed</c>).</summary>
    private void FailLocked(TopicPartition topicPartition, string reason)
    {
        if (_partitions.Remove(topicPartition, out var state))
        {
            _failed.Add((topicPartition, state.LeaderEpoch));
        }

        ReplicationLog.PartitionFetchStopped(_logger, topicPartition.Topic, topicPartition.Partition, Leader, reason);
    }

    private void NotifyFailed()
    {
        List<(TopicPartition TopicPartition, int LeaderEpoch)> failed;
        lock (_lock)
        {
            if (_failed.Count == 0)
            {
                return;
            }

            failed = [.. _failed];
            _failed.Clear();
        }

        foreach (var (topicPartition, leaderEpoch) in failed)
        {
            _onFailed(topicPartition, Leader, leaderEpoch);
        }
    }

    /// <summary>What one fetch asked for a partition; its answer applies only if the partition is still there as it was.</summary>
    private readonly record struct SentPartition(TopicPartition TopicPartition, Partition Partition, long FetchOffset, int LeaderEpoch, int LastFetchedEpoch);

    /// <summary>Where the fetcher is with one partition (kafka: <c>PartitionFetchState</c>); changed only under the fetcher's lock.</summary>
    private sealed class PartitionFetchState(Partition partition, long fetchOffset, int leaderEpoch, int lastFetchedEpoch)
    {
        public Partition Partition { get; } = partition;

        public int LeaderEpoch { get; } = leaderEpoch;

        public long FetchOffset { get; private set; } = fetchOffset;

        public int LastFetchedEpoch { get; private set; } = lastFetchedEpoch;

        public long DelayedUntilMs { get; set; }

        public bool Matches(SentPartition sent) =>
            ReferenceEquals(Partition, sent.Partition) && LeaderEpoch == sent.LeaderEpoch && FetchOffset == sent.FetchOffset;

        public void Advance(long fetchOffset, int lastFetchedEpoch)
        {
            FetchOffset = fetchOffset;
            LastFetchedEpoch = lastFetchedEpoch;
        }

        public void Reset(long fetchOffset, int lastFetchedEpoch)
        {
            FetchOffset = fetchOffset;
            LastFetchedEpoch = lastFetchedEpoch;
            DelayedUntilMs = 0;
        }
    }
}
