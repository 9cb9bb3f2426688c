using Microsoft.Extensions.Logging.Abstractions;
using Rill.Common;
using Rill.Config;
using Rill.Metadata;
using Rill.Protocol;
using Rill.Protocol.MetadataRecords;
using Rill.Protocol.Messages;
using Rill.Server.Handlers;
using Rill.Server.Network;

namespace Rill.Server.Tests;

/// <summary>
/// Metadata over a hand-built image of a cluster with a fenced broker, as Kafka's KRaftMetadataCache answers it: the
/// fenced broker is not listed, a partition it leads has no leader (LEADER_NOT_AVAILABLE), its replicas are offline.
/// </summary>
public sealed class MetadataLeadershipTests
{
    [Fact]
    public async Task AFencedBroker_IsNotListed_AndAPartitionItLeads_IsLeaderNotAvailable_WithItsReplicaOffline()
    {
        var topicId = Uuid.NewRandom();
        var delta = new MetadataDelta(MetadataImage.Empty);
        delta.Replay(Broker(1, fenced: false));
        delta.Replay(Broker(2, fenced: true));
        delta.Replay(new TopicRecord { Name = "t", TopicId = topicId });
        delta.Replay(Partition(topicId, 0, leader: 2, [2, 1], [2, 1]));
        delta.Replay(Partition(topicId, 1, leader: 1, [1, 2], [1]));
        var image = delta.Apply(4);
        var config = ServerConfig.Load(null, new Dictionary<string, string>(), ["node.id=1"]);
        var handler = new MetadataHandler(new View(image), null!, config, "cluster", NullLogger.Instance);

        var request = new MetadataRequest { Topics = null };
        var context = new RequestContext(
            ApiKey.Metadata, 12, 1, "test", new ConnectionInfo("c", null, null, "PLAINTEXT"), KafkaMessage.Serialize(request, 12));
        var response = (MetadataResponse)(await handler.HandleAsync(context, CancellationToken.None)).Message!;

        Assert.Equal([1], response.Brokers.Select(b => b.NodeId));
        var partitions = Assert.Single(response.Topics).Partitions;
        Assert.Equal(((short)ErrorCode.LeaderNotAvailable, -1), (partitions[0].ErrorCode, partitions[0].LeaderId));
        Assert.Equal([2, 1], partitions[0].ReplicaNodes);
        Assert.Equal([2], partitions[0].OfflineReplicas);
        Assert.Equal(((short)ErrorCode.None, 1), (partitions[1].ErrorCode, partitions[1].LeaderId));
        Assert.Equal([2], partitions[1].OfflineReplicas);
    }

    private static RegisterBrokerRecord Broker(int id, bool fenced)
    {
        var record = new RegisterBrokerRecord { BrokerId = id, BrokerEpoch = id, IncarnationId = Uuid.NewRandom(), Fenced = fenced };
        record.EndPoints.Add(new RegisterBrokerRecord.BrokerEndpoint { Name = "PLAINTEXT", Host = "localhost", Port = (ushort)(9090 + id) });
        return record;
    }

    private static PartitionRecord Partition(Uuid topicId, int partition, int leader, int[] replicas, int[] isr) =>
        new() { TopicId = topicId, PartitionId = partition, Leader = leader, Replicas = [.. replicas], Isr = [.. isr], LeaderEpoch = 0, PartitionEpoch = 0 };

    private sealed class View(MetadataImage image) : IMetadataView
    {
        public MetadataImage Image => image;
    }
}
