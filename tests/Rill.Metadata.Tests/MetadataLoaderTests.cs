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
    public async Task TheImageChanges_OnlyWhenTheLogCommits_OneSwapAndOnePublishPerBatch_AndTheControllerAnswersAfterIt()
    {
        var loader = new MetadataLoader(NullLogger<MetadataLoader>.Instance);
        var log = new HeldLog(loader);
        var publisher = new RecordingPublisher();
        loader.AddPublisher(publisher);
        using var controller = Controller(log, loader);

        var registration = new BrokerRegistrationRequest { BrokerId = 1, ClusterId = Node.ClusterId, IncarnationId = Uuid.NewRandom() };
        var registering = controller.RegisterBrokerAsync(registration, CancellationToken.None);

        // Appended, not committed: the controller has not answered and the node serves nothing new.
        Assert.Single(log.Held);
        Assert.False(registering.IsCompleted);
        Assert.Equal(-1, loader.Image.Offset);
        Assert.Empty(loader.Image.Brokers);
        Assert.Single(publisher.Images);

        log.CommitAll();
        var epoch = (await registering).Response.BrokerEpoch;
        var heartbeating = controller.BrokerHeartbeatAsync(
            new BrokerHeartbeatRequest { BrokerId = 1, BrokerEpoch = epoch, CurrentMetadataOffset = 0 }, CancellationToken.None);
        log.CommitAll();
        Assert.False((await heartbeating).Response.IsFenced);
        var create = new CreateTopicsRequest { Topics = [new CreateTopicsRequest.CreatableTopic { Name = "t", NumPartitions = 3, ReplicationFactor = 1 }] };
        var creating = controller.CreateTopicsAsync(create, CancellationToken.None);
        Assert.False(creating.IsCompleted);
        Assert.Empty(loader.Image.Topics);
        log.CommitAll();
        var created = await creating;

        Assert.Equal((short)ErrorCode.None, created.Response.Topics[0].ErrorCode);
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
        var loader = new MetadataLoader(NullLogger<MetadataLoader>.Instance);
        var log = new HeldLog(loader);
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

    [Fact]
    public async Task WaitForOffset_CompletesWhenABatchReachesIt_AndASnapshotReplacesTheImage()
    {
        var loader = new MetadataLoader(NullLogger<MetadataLoader>.Instance);
        var waiting = loader.WaitForOffsetAsync(1, CancellationToken.None);
        var topicId = Uuid.NewRandom();

        loader.HandleCommit(new MetadataBatch(0, [new ApiMessageAndVersion(new Rill.Protocol.MetadataRecords.NoOpRecord(), 0)]));
        Assert.False(waiting.IsCompleted);
        loader.HandleCommit(new MetadataBatch(1, [new ApiMessageAndVersion(new Rill.Protocol.MetadataRecords.TopicRecord { Name = "a", TopicId = topicId }, 0)]));
        await waiting;
        loader.LoadSnapshot(9, [new ApiMessageAndVersion(new Rill.Protocol.MetadataRecords.TopicRecord { Name = "b", TopicId = Uuid.NewRandom() }, 0)]);

        Assert.Equal(9, loader.Image.Offset);
        Assert.Equal(["b"], loader.Image.Topics.Keys);
        Assert.True(loader.WaitForOffsetAsync(9, CancellationToken.None).IsCompletedSuccessfully);
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
        private readonly MetadataLoader _loader;
        private readonly List<TaskCompletionSource> _waiting = [];
        private long _nextOffset;

        public HeldLog(MetadataLoader loader)
        {
            _loader = loader;
        }

        public List<MetadataBatch> Held { get; } = [];

        public async Task<long> AppendAsync(IReadOnlyList<ApiMessageAndVersion> records, CancellationToken cancellationToken)
        {
            _nextOffset += records.Count;
            Held.Add(new MetadataBatch(_nextOffset - 1, records));
            var committed = new TaskCompletionSource();
            _waiting.Add(committed);
            var offset = _nextOffset - 1;
            await committed.Task;
            return offset;
        }

        public void CommitAll()
        {
            foreach (var batch in Held)
            {
                _loader.HandleCommit(batch);
            }

            Held.Clear();
            _waiting.ForEach(waiting => waiting.SetResult());
            _waiting.Clear();
        }
    }

    private sealed class RecordingPublisher : IMetadataPublisher
    {
        public List<MetadataImage> Images { get; } = [];

        public void Publish(MetadataImage previous, MetadataImage current) => Images.Add(current);
    }
}
