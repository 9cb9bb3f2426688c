using Rill.Common;
using Rill.Config;
using Rill.Metadata;
using Rill.Protocol.Messages;

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

    private readonly IMetadataView _metadata;
    private readonly IControllerClient _controller;
    private readonly ServerConfig _config;

    public OffsetsTopic(IMetadataView metadata, IControllerClient controller, ServerConfig config)
    {
        _metadata = metadata;
        _controller = controller;
        _config = config;
    }

    public bool Exists => _metadata.Image.Topics.ContainsKey(Name);

    /// <summary>
    /// Creates the topic if it does not exist yet; a concurrent creation is fine. Returns why it could not be created
    /// (the controller refused it: too few live brokers for its replication factor), or null once it exists. A
    /// controller that cannot be reached within the forwarding timeout throws a KafkaException (REQUEST_TIMED_OUT).
    /// </summary>
    public async Task<string?> EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (Exists)
        {
            return null;
        }

        var topic = new CreateTopicsRequest.CreatableTopic
        {
            Name = Name,
            NumPartitions = _config.OffsetsTopicNumPartitions,
            ReplicationFactor = _config.OffsetsTopicReplicationFactor,
        };
        topic.Configs.Add(new CreateTopicsRequest.CreatableTopicConfig { Name = TopicConfigs.CleanupPolicyConfig, Value = TopicConfigs.CleanupPolicyCompact });
        topic.Configs.Add(new CreateTopicsRequest.CreatableTopicConfig { Name = TopicConfigs.SegmentBytesConfig, Value = SegmentBytes });
        var response = await _controller.CreateTopicsAsync(new CreateTopicsRequest { Topics = [topic] }, cancellationToken).ConfigureAwait(false);
        var result = response.Topics[0];
        return (ErrorCode)result.ErrorCode is ErrorCode.None or ErrorCode.TopicAlreadyExists
            ? null
            : $"Cannot create {Name}: {result.ErrorMessage ?? ((ErrorCode)result.ErrorCode).ToString()}";
    }
}
