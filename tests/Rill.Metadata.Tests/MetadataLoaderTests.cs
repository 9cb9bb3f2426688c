using Microsoft.Extensions.Logging.Abstractions;
using Rill.Common;
using Rill.Config;
using Rill.Protocol.Messages;

namespace Rill.Metadata.Tests;

/// <summary>
/// The loader applies committed batches only, one image per batch; the controller appends and decides on its own state,
/// so what the node serves changes when the log commits, not when the controller decides.
/// </summary>
public sealed class MetadataLoaderTests
{
    [Fact]
    public async Task TheImageChanges_OnlyWhenTheLogCommits_OneSwapAndOnePublishPerBatch()
    {
        var log = new HeldLog();
        var loader = new MetadataLoader(NullLogger<MetadataLoader>.Instance);
        loader.Load(log);
        var publisher = new RecordingPublisher();
        loader.AddPublisher(publisher);
        using var controller = Controller(log, loader);

        var registration = new BrokerRegistrationRequest { BrokerId = 1, ClusterId = Node.ClusterId, IncarnationId = Uuid.NewRandom() };
        var epoch = (await controller.RegisterBrokerAsync(registration, CancellationToken.None)).Response.BrokerEpoch;
        var heartbeat = new BrokerHeartbeatRequest { BrokerId = 1, BrokerEpoch = epoch, CurrentMetadataOffset = 0 };
        Assert.False((await controller.BrokerHeartbeatAsync(heartbeat, CancellationToken.None)).Response.IsFenced);
        var create = new CreateTopicsRequest { Topics = [new CreateTopicsRequest.CreatableTopic { Name = "t", NumPartitions = 3, ReplicationFactor = 1 }] };
        var created = await controller.CreateTopicsAsync(create, CancellationToken.None);

        // Appended, not committed: the controller decided the topic on its own state, the node serves nothing new.
        Assert.Equal((short)ErrorCode.None, created.Response.Topics[0].ErrorCode);
        Assert.Equal(-1, loader.Image.Offset);
        Assert.Empty(loader.Image.Brokers);
        Assert.Single(publisher.Images);

        log.CommitAll();

        Assert.Equal(4, publisher.Images.Count);
        Assert.True(Assert.Single(publisher.Images[1].Brokers).Value.Fenced);
        Assert.False(Assert.Single(publisher.Images[2].Brokers).Value.Fenced);
        Assert.Empty(publisher.Images[2].Topics);
        Assert.Equal(3, publisher.Images[3].Topics["t"].Partitions.Length);
        Assert.Same(publisher.Images[3], loader.Image);
        Assert.Equal(5, loader.Image.Offset);
    }

    [Fact]
    public async Task ARefusedOrValidateOnlyOperation_AppendsNothing()
    {
        var log = new HeldLog();
        var loader = new MetadataLoader(NullLogger<MetadataLoader>.Instance);
        loader.Load(log);
        using var controller = Controller(log, loader);

        var refused = await controller.CreateTopicsAsync(
            new CreateTopicsRequest { Topics = [new CreateTopicsRequest.CreatableTopic { Name = "t", NumPartitions = 1, ReplicationFactor = 1 }] },
            CancellationToken.None);
        var dry = await controller.CreatePartitionsAsync(
            new CreatePartitionsRequest { ValidateOnly = true, Topics = [new CreatePartitionsRequest.CreatePartitionsTopic { Name = "t", Count = 2 }] },
            CancellationToken.None);

        Assert.Equal((short)ErrorCode.InvalidReplicationFactor, refused.Response.Topics[0].ErrorCode);
        Assert.Empty(refused.Records);
        Assert.Empty(dry.Records);
        Assert.Empty(log.Held);
    }

    private static MetadataController Controller(IMetadataLog log, MetadataLoader loader) => new(
        log,
        loader.Image,
        ServerConfig.Load(null, new Dictionary<string, string>(), ["node.id=1"]),
        Node.ClusterId,
        TimeProvider.System,
        new Random(42),
        NullLogger<MetadataController>.Instance);

    // A log whose appends wait for an explicit commit, as a quorum's do for a majority.
    private sealed class HeldLog : IMetadataLog
    {
        private readonly List<IMetadataLogListener> _listeners = [];
        private long _nextOffset;

        public List<MetadataBatch> Held { get; } = [];

        public IEnumerable<MetadataBatch> ReadAll() => [];

        public long Append(IReadOnlyList<ApiMessageAndVersion> records)
        {
            _nextOffset += records.Count;
            Held.Add(new MetadataBatch(_nextOffset - 1, records));
            return _nextOffset - 1;
        }

        public void Register(IMetadataLogListener listener) => _listeners.Add(listener);

        public void CommitAll()
        {
            foreach (var batch in Held)
            {
                _listeners.ForEach(listener => listener.HandleCommit(batch));
            }

            Held.Clear();
        }

        public void Dispose()
        {
        }
    }

    private sealed class RecordingPublisher : IMetadataPublisher
    {
        public List<MetadataImage> Images { get; } = [];

        public void Publish(MetadataImage previous, MetadataImage current) => Images.Add(current);
    }
}
