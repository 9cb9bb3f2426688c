using System.Globalization;
using System.Text;
using Rill.Common;
using Rill.Protocol;
using Rill.Protocol.MetadataRecords;
using Rill.Protocol.Messages;

namespace Rill.Metadata.Tests;

/// <summary>A snapshot's records replay, from an empty image, to the image they were taken from.</summary>
public sealed class MetadataSnapshotTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rill-metadata-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task TheRecordsOfARichImage_ReplayToAnEqualImage_ThroughTheRecordFormat()
    {
        using var node = Node.OpenCluster(_dir, brokers: 4, racks: ["a", "b", "a", null]);
        node.Log.Append([new ApiMessageAndVersion(new FeatureLevelRecord { Name = "metadata.version", FeatureLevel = 21 }, 0)]);
        await node.CreateTopicAsync("plain", 3, 2);
        await node.CreateTopicAsync("configured", 1, 1, configs: [("retention.ms", "1000"), ("cleanup.policy", "compact")]);
        await node.CreateTopicAsync("deleted", 1, 1);
        Assert.Equal(ErrorCode.None, await node.DeleteTopicAsync("deleted"));
        await node.CreateAssignedTopicAsync("moving", [1, 2]);
        await node.CreateAssignedTopicAsync("unclean", [4, 3]);
        await node.CreateAssignedTopicAsync("led-by-2", [2, 1]);
        await node.AlterAsync(ConfigResourceType.Topic, "unclean", ("unclean.leader.election.enable", 0, "true"));
        await node.AlterAsync(ConfigResourceType.Broker, "", ("log.retention.ms", 0, "60000"));
        await node.AlterAsync(ConfigResourceType.Broker, "1", ("message.max.bytes", 0, "2000000"));
        var reassignment = new AlterPartitionReassignmentsRequest
        {
            Topics = [new() { Name = "moving", Partitions = [new() { PartitionIndex = 0, Replicas = [3, 4] }] }],
        };
        await node.Controller.AlterPartitionReassignmentsAsync(reassignment, CancellationToken.None);

        // Broker 3 leaves (unclean's ISR is then 4 alone), broker 4 goes silent too: unclean elects 3 once it is back.
        await node.AdvanceAsync(TimeSpan.FromSeconds(10), silent: 3);
        await node.Controller.FenceStaleBrokersAsync(CancellationToken.None);
        await node.AdvanceAsync(TimeSpan.FromSeconds(10), silent: [3, 4]);
        await node.Controller.FenceStaleBrokersAsync(CancellationToken.None);
        await node.RegisterAsync(3);
        await node.HeartbeatAsync(2, wantShutDown: true);

        var image = node.Image;
        Assert.Equal(LeaderRecoveryState.Recovering, node.Partition("unclean", 0).LeaderRecoveryState);
        Assert.True(node.Partition("moving", 0).IsReassigning);
        Assert.True(image.Brokers[2].InControlledShutdown);
        Assert.True(image.Brokers[4].Fenced);
        Assert.Single(image.Features);

        var delta = new MetadataDelta(MetadataImage.Empty);
        foreach (var record in MetadataSnapshot.RecordsOf(image))
        {
            delta.Replay(ThroughTheRecordFormat(record).Message);
        }

        var replayed = delta.Apply(image.Offset);
        Assert.Equal(Text(image), Text(replayed));
        Assert.Contains("removing=[1,2]", Text(replayed), StringComparison.Ordinal);
        Assert.Contains("config Topic/configured cleanup.policy=compact", Text(replayed), StringComparison.Ordinal);
    }

    [Fact]
    public void TheEmptyImage_HasNoRecords()
    {
        Assert.Empty(MetadataSnapshot.RecordsOf(MetadataImage.Empty));
    }

    private static ApiMessageAndVersion ThroughTheRecordFormat(ApiMessageAndVersion record)
    {
        var bytes = new byte[MetadataRecordSerde.SizeOf(record)];
        var writer = new KafkaWriter(bytes);
        MetadataRecordSerde.Write(ref writer, record);
        return MetadataRecordSerde.Read(bytes);
    }

    // Everything an image holds, in a fixed order, so that two images compare by content.
    private static string Text(MetadataImage image)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"offset {image.Offset}\n");
        foreach (var (name, level) in image.Features.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"feature {name}={level}\n");
        }

        foreach (var broker in image.Brokers.Values.OrderBy(b => b.BrokerId))
        {
            var endpoints = string.Join(",", broker.Endpoints.Select(e => $"{e.Name}://{e.Host}:{e.Port}/{e.SecurityProtocol}"));
            text.Append(CultureInfo.InvariantCulture,
                $"broker {broker.BrokerId} epoch={broker.BrokerEpoch} incarnation={broker.IncarnationId} rack={broker.Rack ?? "-"} fenced={broker.Fenced} shutdown={broker.InControlledShutdown} {endpoints}\n");
        }

        foreach (var topic in image.Topics.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"topic {topic.Name} {topic.Id} named {image.TopicNamesById[topic.Id]}\n");
            foreach (var p in topic.Partitions)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"  {p.PartitionId} replicas=[{string.Join(",", p.Replicas)}] isr=[{string.Join(",", p.Isr)}] adding=[{string.Join(",", p.AddingReplicas)}] removing=[{string.Join(",", p.RemovingReplicas)}] leader={p.Leader} epoch={p.LeaderEpoch} partitionEpoch={p.PartitionEpoch} {p.LeaderRecoveryState}\n");
            }
        }

        text.Append(CultureInfo.InvariantCulture, $"topic ids {image.TopicNamesById.Count}\n");
        foreach (var (resource, configs) in image.Configs.OrderBy(c => c.Key.Type).ThenBy(c => c.Key.Name, StringComparer.Ordinal))
        {
            foreach (var (key, value) in configs.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                text.Append(CultureInfo.InvariantCulture, $"config {resource.Type}/{resource.Name} {key}={value}\n");
            }
        }

        return text.ToString();
    }
}
