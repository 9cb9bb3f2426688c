using Rill.Common;
using Rill.Config;
using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>
/// Creates topics with a partition count, a replication factor and config overrides, or only validates them.
/// v5+ answers carry the resulting configs, as Kafka's do.
/// </summary>
public sealed class CreateTopicsHandler : ApiHandler<CreateTopicsRequest>
{
    private const short MinimumVersion = 2;

    private readonly MetadataController _controller;
    private readonly ServerConfig _config;

    public CreateTopicsHandler(MetadataController controller, ServerConfig config)
    {
        _controller = controller;
        _config = config;
    }

    public override short MinVersion => MinimumVersion;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, CreateTopicsRequest request, CancellationToken cancellationToken)
    {
        var response = new CreateTopicsResponse();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = request.Topics.Where(t => !seen.Add(t.Name)).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var topic in request.Topics)
        {
            response.Topics.Add(Create(topic, duplicates.Contains(topic.Name), request.ValidateOnly, context.ApiVersion));
        }

        return ValueTask.FromResult(ApiResponse.Of(response));
    }

    private CreateTopicsResponse.CreatableTopicResult Create(CreateTopicsRequest.CreatableTopic topic, bool duplicate, bool validateOnly, short version)
    {
        var result = new CreateTopicsResponse.CreatableTopicResult { Name = topic.Name };
        if (duplicate)
        {
            return Fail(result, ErrorCode.InvalidRequest, $"Topic '{topic.Name}' appears more than once in the request.");
        }

        if (topic.Assignments.Count > 0)
        {
            return Fail(result, ErrorCode.InvalidReplicaAssignment, "Manual replica assignment is not supported; give a partition count and replication factor instead.");
        }

        var configs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var config in topic.Configs)
        {
            if (config.Value is null)
            {
                return Fail(result, ErrorCode.InvalidConfig, $"Config '{config.Name}' has a null value; topic configs need a value.");
            }

            if (!configs.TryAdd(config.Name, config.Value))
            {
                return Fail(result, ErrorCode.InvalidConfig, $"Config '{config.Name}' is given more than once.");
            }
        }

        EffectiveTopicConfig effective;
        try
        {
            effective = TopicConfigs.Resolve(_config, _controller.Image.DynamicConfigOf(_config.NodeId), configs);
            TopicConfigs.CheckApplicable(effective, $"topic '{topic.Name}'");
        }
        catch (ConfigException exception)
        {
            return Fail(result, ErrorCode.InvalidConfig, exception.Message);
        }

        var created = _controller.CreateTopic(topic.Name, topic.NumPartitions, topic.ReplicationFactor, configs, validateOnly);
        if (created.ErrorCode != ErrorCode.None)
        {
            return Fail(result, created.ErrorCode, created.ErrorMessage ?? created.ErrorCode.ToString());
        }

        var image = created.Topic!;
        result.TopicId = validateOnly ? Uuid.Zero : image.Id;
        result.NumPartitions = image.Partitions.Length;
        result.ReplicationFactor = (short)image.Partitions[0].Replicas.Length;
        if (version >= 5)
        {
            result.Configs = [];
            foreach (var entry in effective.Entries)
            {
                result.Configs.Add(new CreateTopicsResponse.CreatableTopicConfigs
                {
                    Name = entry.Name,
                    Value = entry.Value,
                    ReadOnly = entry.ReadOnly,
                    ConfigSource = (sbyte)entry.Source,
                    IsSensitive = entry.IsSensitive,
                });
            }
        }

        return result;
    }

    private static CreateTopicsResponse.CreatableTopicResult Fail(CreateTopicsResponse.CreatableTopicResult result, ErrorCode code, string message)
    {
        result.ErrorCode = (short)code;
        result.ErrorMessage = message;
        return result;
    }
}
