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
        using var controller = new MetadataController(log, loader.Image, Config(), NullLogger<MetadataController>.Instance);

        var registration = new BrokerRegistrationRequest { BrokerId = 1, IncarnationId = Uuid.NewRandom() };
        await controller.RegisterBrokerAsync(registration, CancellationToken.None);
        var create = new CreateTopicsRequest { Topics = [new CreateTopicsRequest.CreatableTopic { Name = "t", NumPartitions = 3, ReplicationFactor = 1 }] };
        var created = await controller.CreateTopicsAsync(create, CancellationToken.None);

        // Appended, not committed: the controller decided the topic on its own state, the node serves nothing new.
        Assert.Equal((short)ErrorCode.None, created.Response.Topics[0].ErrorCode);
        Assert.Equal(-1, loader.Image.Offset);
        Assert.Empty(loader.Image.Brokers);
        Assert.Single(publisher.Images);

        log.CommitAll();

        Assert.Equal(3, publisher.Images.Count);
        Assert.Single(publisher.Images[1].Brokers);
        Assert.Empty(publisher.Images[1].Topics);
        Assert.Equal(3, publisher.Images[2].Topics["t"].Partitions.Length);
        Assert.Same(publisher.Images[2], loader.Image);
        Assert.Equal(4, loader.Image.Offset);
    }

    [Fact]
    public async Task ARefusedOrValidateOnlyOperation_AppendsNothing()
    {
        var log = new HeldLog();
        var loader = new MetadataLoader(NullLogger<MetadataLoader>.Instance);
        loader.Load(log);
        using var controller = new MetadataController(log, loader.Image, Config(), NullLogger<MetadataController>.Instance);

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

    private static ServerConfig Config() => ServerConfig.Load(null, new Dictionary<string, string>(), ["node.id=1"]);

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
