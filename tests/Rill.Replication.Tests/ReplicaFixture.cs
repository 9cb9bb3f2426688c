using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rill.Client;
using Rill.Common;
using Rill.Config;
using Rill.Metadata;
using Rill.Protocol.Records;
using Rill.Storage;

namespace Rill.Replication.Tests;

/// <summary>A temp data dir, a fake clock, a log manager and a replica manager for broker 0, fed images built by hand.</summary>
internal sealed class ReplicaFixture : IAsyncDisposable
{
    public const int LocalBrokerId = 0;
    public const string Topic = "orders";

    public static readonly TopicPartition Partition0 = new(Topic, 0);

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rill-replication-tests", Guid.NewGuid().ToString("N"));
    private readonly Uuid _topicId = Uuid.NewRandom();

    public ReplicaFixture()
    {
        Logs = new LogManager([_dir], Time, NullLoggerFactory.Instance);
        Replicas = new ReplicaManager(
            ServerConfig.Load(null, new Dictionary<string, string>(), [$"node.id={LocalBrokerId}", $"log.dirs={_dir}"]),
            Logs,
            new RefusingTransport(),
            AlterPartitions,
            Time,
            NullLoggerFactory.Instance);
    }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));

    public LogManager Logs { get; }

    /// <summary>The ISR changes the replica manager sent, answered as the test says.</summary>
    public RecordingAlterPartitionSender AlterPartitions { get; } = new();

    public ReplicaManager Replicas { get; }

    public MetadataImage Image { get; private set; } = MetadataImage.Empty;

    /// <summary>Publishes topic <see cref="Topic"/> with one partition: these replicas and ISR, this leader and epoch.</summary>
    public MetadataImage Publish(int[] replicas, int[] isr, int leader = LocalBrokerId, int leaderEpoch = 0, int minInSyncReplicas = 1)
    {
        var registration = new PartitionRegistration(0, [.. replicas], [.. isr], leader, leaderEpoch, 0);
        var topic = new TopicImage(Topic, _topicId, [registration]);
        var next = Image with
        {
            Offset = Image.Offset + 1,
            Topics = Image.Topics.SetItem(Topic, topic),
            TopicNamesById = Image.TopicNamesById.SetItem(_topicId, Topic),
            Configs = Image.Configs.SetItem(
                new ConfigResource(ConfigResourceType.Topic, Topic),
                ImmutableDictionary<string, string>.Empty.Add(TopicConfigs.MinInSyncReplicasConfig, minInSyncReplicas.ToString(CultureInfo.InvariantCulture))),
        };
        Replicas.Publish(Image, next);
        Image = next;
        return next;
    }

    public MetadataImage RemoveTopic()
    {
        var next = Image with { Offset = Image.Offset + 1, Topics = Image.Topics.Remove(Topic), TopicNamesById = Image.TopicNamesById.Remove(_topicId) };
        Replicas.Publish(Image, next);
        Image = next;
        return next;
    }

    public Partition Partition
    {
        get
        {
            Assert.True(Replicas.TryGetPartition(Partition0, out var partition));
            return partition;
        }
    }

    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary><paramref name="count"/> records "k{i}"/"v{i}" in one uncompressed batch.</summary>
    public byte[] Batch(int count)
    {
        var builder = new RecordBatchBuilder(CompressionCodec.None);
        for (var i = 0; i < count; i++)
        {
            builder.Append(NowMs, Encoding.UTF8.GetBytes($"k{i}"), Encoding.UTF8.GetBytes($"v{i}"));
        }

        return builder.Build();
    }

    /// <summary>Follower <paramref name="replicaId"/> fetched from <paramref name="offset"/> now, with no broker epoch; false when the leader refused it.</summary>
    public bool FollowerFetched(int replicaId, long offset, out bool highWatermarkIncreased) =>
        Partition.UpdateFollowerFetchState(replicaId, offset, 0, NowMs, Partition.LogEndOffset, -1, out highWatermarkIncreased) == ErrorCode.None;

    public ValueTask<PartitionAppendResult[]> AppendAsync(short acks, int count, int timeoutMs = 30_000) =>
        Replicas.AppendAsync(Image, acks, timeoutMs, [new AppendEntry(Partition0, Batch(count))], TestContext.Current.CancellationToken);

    public ValueTask<FetchResult> FetchAsync(long offset, int minBytes, int maxWaitMs, int replicaId = -1) =>
        FetchUntilCancelledAsync(offset, minBytes, maxWaitMs, replicaId, TestContext.Current.CancellationToken);

    public ValueTask<FetchResult> FetchUntilCancelledAsync(long offset, int minBytes, int maxWaitMs, int replicaId, CancellationToken cancellationToken) =>
        Replicas.FetchAsync(
            Image,
            new FetchParams(replicaId, maxWaitMs, minBytes, 1024 * 1024, replicaId >= 0 ? FetchIsolation.LogEnd : FetchIsolation.HighWatermark),
            [new FetchPartitionRequest(Partition0, offset, -1, 1024 * 1024)],
            cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Replicas.DisposeAsync();
        Logs.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
