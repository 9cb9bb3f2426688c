using Microsoft.Extensions.Logging;
using Rill.Client;
using Rill.Common;

namespace Rill.Replication;

/// <summary>
/// The replica fetchers of this broker, one per leader it follows partitions of (kafka: <c>AbstractFetcherManager</c>
/// with one fetcher per source broker, <c>num.replica.fetchers=1</c>). A partition handed to it moves to the fetcher of
/// its new leader; a fetcher left with no partitions is stopped.
/// </summary>
internal sealed class ReplicaFetcherManager : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<LeaderEndpoint, ReplicaFetcher> _fetchers = [];
    private readonly Dictionary<TopicPartition, ReplicaFetcher> _byPartition = [];
    private readonly List<Task> _stopping = [];
    private readonly ReplicaFetcherConfig _config;
    private readonly IKafkaTransport _transport;
    private readonly Func<long> _brokerEpoch;
    private readonly Action<TopicPartition, LeaderEndpoint, int> _onFailed;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private bool _disposed;

    public ReplicaFetcherManager(
        ReplicaFetcherConfig config,
        IKafkaTransport transport,
        Func<long> brokerEpoch,
        Action<TopicPartition, LeaderEndpoint, int> onFailed,
        TimeProvider time,
        ILogger logger)
    {
        _config = config;
        _transport = transport;
        _brokerEpoch = brokerEpoch;
        _onFailed = onFailed;
        _time = time;
        _logger = logger;
    }

    /// <summary>Leaders fetched from now.</summary>
    public IReadOnlyCollection<LeaderEndpoint> Leaders
    {
        get
        {
            lock (_lock)
            {
                return [.. _fetchers.Keys];
            }
        }
    }

    /// <summary>The leader and position <paramref name="topicPartition"/> is fetched from; null when it is not fetched.</summary>
    public (LeaderEndpoint Leader, long FetchOffset, int LeaderEpoch)? FetchPosition(TopicPartition topicPartition)
    {
        ReplicaFetcher? fetcher;
        lock (_lock)
        {
            _byPartition.TryGetValue(topicPartition, out fetcher);
        }

        return fetcher?.FetchPosition(topicPartition) is { } position ? (fetcher.Leader, position.FetchOffset, position.LeaderEpoch) : null;
    }

    public void AddPartition(InitialFetchState initial)
    {
        var topicPartition = initial.Partition.TopicPartition;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_byPartition.TryGetValue(topicPartition, out var current) && !current.Leader.Equals(initial.Leader))
            {
                RemoveLocked(topicPartition, current);
            }

            if (!_fetchers.TryGetValue(initial.Leader, out var fetcher))
            {
                fetcher = new ReplicaFetcher(initial.Leader, _config, _transport, _brokerEpoch, _onFailed, _time, _logger);
                _fetchers.Add(initial.Leader, fetcher);
                ReplicationLog.FetcherStarted(_logger, initial.Leader);
            }

            _byPartition[topicPartition] = fetcher;
            fetcher.Add(initial);
        }
    }

    public void RemovePartition(TopicPartition topicPartition)
    {
        lock (_lock)
        {
            if (_byPartition.TryGetValue(topicPartition, out var fetcher))
            {
                RemoveLocked(topicPartition, fetcher);
            }
        }
    }

    /// <summary>Forgets a partition the fetcher of <paramref name="leader"/> stopped on its own (fenced, failed log), unless it has moved to another leader since.</summary>
    public void ForgetPartition(TopicPartition topicPartition, LeaderEndpoint leader)
    {
        lock (_lock)
        {
            if (_byPartition.TryGetValue(topicPartition, out var fetcher) && fetcher.Leader.Equals(leader))
            {
                RemoveLocked(topicPartition, fetcher);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<Task> stopping;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            stopping = [.. _stopping, .. _fetchers.Values.Select(f => f.DisposeAsync().AsTask())];
            _fetchers.Clear();
            _byPartition.Clear();
        }

        await Task.WhenAll(stopping);
    }

    private void RemoveLocked(TopicPartition topicPartition, ReplicaFetcher fetcher)
    {
        _byPartition.Remove(topicPartition);
        fetcher.Remove(topicPartition);
        if (fetcher.PartitionCount == 0 && _fetchers.Remove(fetcher.Leader))
        {
            ReplicationLog.FetcherStopped(_logger, fetcher.Leader);
            _stopping.RemoveAll(task => task.IsCompleted);
            _stopping.Add(fetcher.DisposeAsync().AsTask());
        }
    }
}
