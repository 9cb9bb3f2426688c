using System.Collections.Concurrent;
using Confluent.Kafka;
using Rill.TestKit;

namespace Rill.IntegrationTests.Groups;

/// <summary>
/// A Confluent.Kafka group member on a thread of its own: subscribes, processes each record and commits it
/// right after (manual commits), or lets auto-commit do it. Stopping closes the consumer, which leaves the group.
/// </summary>
internal sealed class ConfluentGroupMember : IGroupMember
{
    private readonly IConsumer<string, string> _consumer;
    private readonly ConcurrentQueue<ConsumedRecord> _records = new();
    private readonly ConcurrentDictionary<int, long> _committed = new();
    private readonly Thread _thread;
    private readonly bool _manualCommit;
    private volatile bool _stopping;
    private volatile IReadOnlySet<int> _assignment = new HashSet<int>();
    private Exception? _failure;

    public ConfluentGroupMember(string name, string bootstrapServers, string topic, string group, Action<ConsumerConfig>? configure = null)
    {
        Name = name;
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = group,
            ClientId = name,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            SessionTimeoutMs = 6000,
            HeartbeatIntervalMs = 1000,
        };
        configure?.Invoke(config);
        _manualCommit = config.EnableAutoCommit != true;
        KafkaClients.EnsureNativeLibrary();
        _consumer = new ConsumerBuilder<string, string>(config)
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                var now = new HashSet<int>(_assignment);
                now.UnionWith(partitions.Select(p => p.Partition.Value));
                _assignment = now;
            })
            .SetPartitionsRevokedHandler((_, partitions) =>
            {
                var now = new HashSet<int>(_assignment);
                now.ExceptWith(partitions.Select(p => p.Partition.Value));
                _assignment = now;
            })
            .SetPartitionsLostHandler((_, partitions) =>
            {
                var now = new HashSet<int>(_assignment);
                now.ExceptWith(partitions.Select(p => p.Partition.Value));
                _assignment = now;
            })
            .Build();
        _consumer.Subscribe(topic);
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public string Name { get; }

    public IReadOnlySet<int> Assignment => _assignment;

    public IReadOnlyList<ConsumedRecord> Records => [.. _records];

    public IReadOnlyDictionary<int, long> Committed => _committed;

    public IConsumer<string, string> Consumer => _consumer;

    public ValueTask DisposeAsync()
    {
        _stopping = true;
        _thread.Join();
        _consumer.Close();
        _consumer.Dispose();
        return _failure is null ? ValueTask.CompletedTask : ValueTask.FromException(_failure);
    }

    private void Run()
    {
        try
        {
            while (!_stopping)
            {
                var result = _consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (result is null || result.IsPartitionEOF)
                {
                    continue;
                }

                _records.Enqueue(new ConsumedRecord(Name, result.Partition.Value, result.Offset.Value, result.Message.Key, result.Message.Value));
                if (_manualCommit)
                {
                    _consumer.Commit(result);
                    _committed[result.Partition.Value] = result.Offset.Value + 1;
                }
            }
        }
        catch (Exception exception)
        {
            _failure = exception;
        }
    }
}
