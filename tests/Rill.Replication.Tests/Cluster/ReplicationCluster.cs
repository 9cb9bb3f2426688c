using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Rill.Common;
using Rill.Config;
using Rill.Metadata;
using Rill.Protocol.Records;
using Rill.TestKit;
using Rill.TestKit.Network;

namespace Rill.Replication.Tests.Cluster;

/// <summary>
/// Brokers 1..n in one process on an <see cref="InMemoryNetwork"/> and one fake clock, with metadata images built by
/// hand: the test says who leads topic <see cref="Topic"/>'s one partition, in which epochs, with which ISR, and every
/// running broker gets that image. ISR changes go to <see cref="AlterPartitions"/>, which stands in for the controller.
/// </summary>
internal sealed class ReplicationCluster : IAsyncDisposable
{
    public const string Topic = "orders";

    public static readonly TopicPartition Partition0 = new(Topic, 0);

    private readonly Dictionary<int, ReplicaBroker?> _brokers = [];
    private readonly Dictionary<int, TempDirectory> _dirs = [];
    private readonly Dictionary<int, long> _brokerEpochs = [];
    private readonly IReadOnlyList<string> _overrides;
    private PartitionRegistration? _registration;
    private int _minInSyncReplicas = 1;

    private ReplicationCluster(IReadOnlyList<string> overrides)
    {
        _overrides = overrides;
        Network = new InMemoryNetwork(Time);
    }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));

    public InMemoryNetwork Network { get; }

    public RecordingAlterPartitionSender AlterPartitions { get; } = new();

    public Uuid TopicId { get; } = Uuid.NewRandom();

    public MetadataImage Image { get; private set; } = MetadataImage.Empty;

    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public static async Task<ReplicationCluster> StartAsync(int brokers, params string[] overrides)
    {
        var cluster = new ReplicationCluster(overrides);
        try
        {
            for (var id = 1; id <= brokers; id++)
            {
                cluster._dirs[id] = new TempDirectory();
                cluster._brokerEpochs[id] = 100 + id;
                await cluster.StartBrokerCoreAsync(id);
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>Broker 1's data directory, which outlives its stops.</summary>
    public string Broker1Dir => _dirs[1].Path;

    public ReplicaBroker Broker(int id) => _brokers[id] ?? throw new InvalidOperationException($"Broker {id} is stopped.");

    public Partition PartitionOn(int id)
    {
        Assert.True(Broker(id).Replicas.TryGetPartition(Partition0, out var partition), $"broker {id} holds no replica of {Partition0}");
        return partition;
    }

    /// <summary>
    /// Publishes the partition's registration to every running broker, with a registration per running broker. The
    /// partition epoch goes up by one on every call unless given.
    /// </summary>
    public MetadataImage Publish(int[] replicas, int[] isr, int leader, int leaderEpoch, int? partitionEpoch = null, int? minInSyncReplicas = null)
    {
        _registration = new PartitionRegistration(0, [.. replicas], [.. isr], leader, leaderEpoch, partitionEpoch ?? (_registration?.PartitionEpoch ?? -1) + 1);
        _minInSyncReplicas = minInSyncReplicas ?? _minInSyncReplicas;
        return PublishImage();
    }

    /// <summary>Publishes the current registration again, with the brokers' registrations as they are now (a restarted broker's new port).</summary>
    public MetadataImage PublishImage()
    {
        var brokers = ImmutableDictionary<int, BrokerRegistration>.Empty;
        foreach (var (id, broker) in _brokers)
        {
            if (broker is not null)
            {
                brokers = brokers.Add(id, new BrokerRegistration(
                    id, _brokerEpochs[id], [new BrokerEndpoint("PLAINTEXT", "127.0.0.1", broker.Port, 0)], Rack: null, Fenced: false));
            }
        }

        var topic = new TopicImage(Topic, TopicId, _registration is null ? [] : [_registration]);
        Image = Image with
        {
            Offset = Image.Offset + 1,
            Brokers = brokers,
            Topics = Image.Topics.SetItem(Topic, topic),
            TopicNamesById = Image.TopicNamesById.SetItem(TopicId, Topic),
            Configs = Image.Configs.SetItem(
                new ConfigResource(ConfigResourceType.Topic, Topic),
                ImmutableDictionary<string, string>.Empty.Add(TopicConfigs.MinInSyncReplicasConfig, _minInSyncReplicas.ToString(CultureInfo.InvariantCulture))),
        };
        foreach (var broker in _brokers.Values)
        {
            broker?.Publish(Image);
        }

        return Image;
    }

    /// <summary>Stops broker <paramref name="id"/> cleanly; its data directory stays for <see cref="StartBrokerAsync"/>.</summary>
    public async Task StopBrokerAsync(int id)
    {
        if (_brokers[id] is { } broker)
        {
            _brokers[id] = null;
            await broker.DisposeAsync();
        }
    }

    /// <summary>Starts broker <paramref name="id"/> on its data directory, with a new broker epoch as a re-registration gives; publish to tell it the metadata.</summary>
    public async Task StartBrokerAsync(int id)
    {
        if (_brokers.TryGetValue(id, out var running) && running is not null)
        {
            throw new InvalidOperationException($"Broker {id} is running.");
        }

        _brokerEpochs[id] += 1000;
        await StartBrokerCoreAsync(id);
    }

    private async Task StartBrokerCoreAsync(int id) =>
        _brokers[id] = await ReplicaBroker.StartAsync(id, _dirs[id], Network, Time, AlterPartitions, _overrides);

    /// <summary><paramref name="count"/> records "{prefix}-{i}" in one uncompressed batch.</summary>
    public byte[] Batch(string prefix, int count)
    {
        var builder = new RecordBatchBuilder(CompressionCodec.None);
        for (var i = 0; i < count; i++)
        {
            builder.Append(NowMs, Encoding.UTF8.GetBytes($"{prefix}-k{i}"), Encoding.UTF8.GetBytes($"{prefix}-v{i}"));
        }

        return builder.Build();
    }

    /// <summary>
    /// Appends on <paramref name="leader"/> and moves the fake clock on while the append waits for its followers, so
    /// a follower's fetch backoff (after it fetched before its leader knew of its leadership) ends as it would in time.
    /// </summary>
    public async Task<PartitionAppendResult[]> ProduceAsync(int leader, short acks, string prefix, int count, int timeoutMs = 30_000)
    {
        var append = StartProduce(leader, acks, prefix, count, timeoutMs);
        while (await Task.WhenAny(append, Task.Delay(20, TestContext.Current.CancellationToken)) != append)
        {
            Time.Advance(TimeSpan.FromMilliseconds(100));
        }

        return await append;
    }

    /// <summary>Starts an append on <paramref name="leader"/>; the clock moves only when the test moves it.</summary>
    public Task<PartitionAppendResult[]> StartProduce(int leader, short acks, string prefix, int count, int timeoutMs = 30_000) =>
        Broker(leader).Replicas.AppendAsync(Broker(leader).Image, acks, timeoutMs, [new AppendEntry(Partition0, Batch(prefix, count))], TestContext.Current.CancellationToken).AsTask();

    /// <summary>Every batch of broker <paramref name="id"/>'s replica, byte for byte, from its log start to its log end.</summary>
    public byte[] LogBytes(int id)
    {
        var log = PartitionOn(id).Log;
        using var bytes = new MemoryStream();
        var offset = log.LogStartOffset;
        while (offset < log.LogEndOffset)
        {
            using var read = log.Read(offset, int.MaxValue, long.MaxValue, minOneBatch: true);
            Assert.Equal(ErrorCode.None, read.ErrorCode);
            Assert.False(read.Records.IsEmpty, $"nothing read at {offset} below the log end {log.LogEndOffset}");
            bytes.Write(read.Records.Span);
            offset = NextOffset(read.Records.Span);
        }

        return bytes.ToArray();
    }

    /// <summary>Offset, leader epoch and value of every record of broker <paramref name="id"/>'s replica.</summary>
    public List<(long Offset, int Epoch, string Value)> Records(int id)
    {
        var records = new List<(long, int, string)>();
        var bytes = LogBytes(id);
        var position = 0;
        while (position < bytes.Length)
        {
            var size = RecordBatch.GetSizeInBytes(bytes.AsSpan(position));
            var batch = bytes.AsSpan(position, size);
            var epoch = RecordBatch.GetPartitionLeaderEpoch(batch);
            var reader = new RecordReader(batch, int.MaxValue);
            while (reader.TryReadNext(out var record))
            {
                records.Add((record.Offset, epoch, Encoding.UTF8.GetString(record.Value)));
            }

            Assert.Equal(ErrorCode.None, reader.ErrorCode);
            reader.Dispose();
            position += size;
        }

        return records;
    }

    /// <summary>Lets time pass on the fake clock in steps, so timers (long polls, backoffs, the ISR check) fire in order.</summary>
    public void Advance(TimeSpan by, TimeSpan step)
    {
        for (var passed = TimeSpan.Zero; passed < by; passed += step)
        {
            Time.Advance(step);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds, moving the fake clock 100 ms per try so that long polls answer.</summary>
    public Task UntilAsync(Func<bool> condition, string description) =>
        Eventually.UntilAsync(
            () =>
            {
                if (condition())
                {
                    return true;
                }

                Time.Advance(TimeSpan.FromMilliseconds(100));
                return false;
            },
            TimeSpan.FromSeconds(30),
            description);

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _brokers.Keys.ToList())
        {
            await StopBrokerAsync(id);
        }

        foreach (var dir in _dirs.Values)
        {
            dir.Dispose();
        }
    }

    private static long NextOffset(ReadOnlySpan<byte> batches)
    {
        var next = 0L;
        while (!batches.IsEmpty)
        {
            next = RecordBatch.GetLastOffset(batches) + 1;
            batches = batches[RecordBatch.GetSizeInBytes(batches)..];
        }

        return next;
    }
}
