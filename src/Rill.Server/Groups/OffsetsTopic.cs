using Rill.Common;
using Rill.Config;
using Rill.Metadata;

namespace Rill.Server.Groups;

/// <summary>
/// The internal topic <c>__consumer_offsets</c> that holds committed offsets and group metadata. Created on
/// first use, as Kafka does, compacted so that only the latest record per key survives.
/// </summary>
public sealed class OffsetsTopic
{
    public const string Name = "__consumer_offsets";

    // Kafka's offsets.topic.segment.bytes default: small segments so that compaction reaches them soon.
    private const string SegmentBytes = "104857600";

    private readonly MetadataController _controller;
    private readonly ServerConfig _config;

    public OffsetsTopic(MetadataController controller, ServerConfig config)
    {
        _controller = controller;
        _config = config;
    }

    public bool Exists => _controller.Image.Topics.ContainsKey(Name);

    /// <summary>Creates the topic if it does not exist yet; a concurrent creation is fine.</summary>
    public void EnsureCreated()
    {
        if (Exists)
        {
            return;
        }

        var configs = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [TopicConfigs.CleanupPolicyConfig] = TopicConfigs.CleanupPolicyCompact,
            [TopicConfigs.SegmentBytesConfig] = SegmentBytes,
        };
        var result = _controller.CreateTopic(Name, _config.OffsetsTopicNumPartitions, _config.OffsetsTopicReplicationFactor, configs, validateOnly: false);
        if (result.ErrorCode is not (ErrorCode.None or ErrorCode.TopicAlreadyExists))
        {
            throw new KafkaException(result.ErrorCode, $"Cannot create {Name}: {result.ErrorMessage}");
        }
    }
}
