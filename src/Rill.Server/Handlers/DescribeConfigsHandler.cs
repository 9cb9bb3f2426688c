using System.Globalization;
using Rill.Common;
using Rill.Config;
using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Server.Network;
using Rill.Server.Observability;

namespace Rill.Server.Handlers;

/// <summary>
/// The effective configuration of topics and of this broker (static values with the dynamic ones of the current
/// metadata image over them): every key with its value, where the value comes from, and (on request) its synonyms
/// and documentation.
/// </summary>
public sealed class DescribeConfigsHandler : ApiHandler<DescribeConfigsRequest>
{
    private const short MinimumVersion = 1;

    private readonly IMetadataView _controller;
    private readonly ServerConfig _config;
    private readonly LogLevels? _logLevels;

    public DescribeConfigsHandler(IMetadataView controller, ServerConfig config, LogLevels? logLevels)
    {
        _controller = controller;
        _config = config;
        _logLevels = logLevels;
    }

    public override short MinVersion => MinimumVersion;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, DescribeConfigsRequest request, CancellationToken cancellationToken)
    {
        var response = new DescribeConfigsResponse();
        var image = _controller.Image;
        foreach (var resource in request.Resources)
        {
            var result = new DescribeConfigsResponse.DescribeConfigsResult
            {
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
            };
            response.Results.Add(result);
            var entries = EntriesOf(image, resource, out var error, out var message);
            if (error != ErrorCode.None)
            {
                result.ErrorCode = (short)error;
                result.ErrorMessage = message;
                continue;
            }

            foreach (var entry in entries!)
            {
                if (resource.ConfigurationKeys is { } keys && !keys.Contains(entry.Name, StringComparer.Ordinal))
                {
                    continue;
                }

                result.Configs.Add(Describe(entry, request, context.ApiVersion));
            }
        }

        return ValueTask.FromResult(ApiResponse.Of(response));
    }

    private IReadOnlyList<ConfigEntry>? EntriesOf(
        MetadataImage image,
        DescribeConfigsRequest.DescribeConfigsResource resource,
        out ErrorCode error,
        out string? message)
    {
        error = ErrorCode.None;
        message = null;
        switch ((ConfigResourceType)resource.ResourceType)
        {
            case ConfigResourceType.Topic:
                if (!image.Topics.ContainsKey(resource.ResourceName))
                {
                    error = ErrorCode.UnknownTopicOrPartition;
                    message = $"Topic '{resource.ResourceName}' does not exist.";
                    return null;
                }

                return TopicConfigs.Resolve(
                    _config,
                    image.DynamicConfigOf(_config.NodeId),
                    image.ConfigsOf(ConfigResourceType.Topic, resource.ResourceName)).Entries;
            case ConfigResourceType.Broker:
                // As Kafka's ConfigHelper: "" is the cluster default, listing only what is set there; a node id must be ours.
                if (resource.ResourceName == DynamicBrokerConfig.ClusterDefaultName)
                {
                    return _config.DescribeClusterDefault(image.DynamicConfigOf(_config.NodeId));
                }

                if (!int.TryParse(resource.ResourceName, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                {
                    error = ErrorCode.InvalidRequest;
                    message = $"Broker id must be an integer, but it is: {resource.ResourceName}";
                    return null;
                }

                if (resource.ResourceName != DynamicBrokerConfig.NodeName(_config.NodeId))
                {
                    error = ErrorCode.InvalidRequest;
                    message = $"Unexpected broker id, expected {_config.NodeId} or empty string, but received {resource.ResourceName}";
                    return null;
                }

                return _config.Describe(image.DynamicConfigOf(_config.NodeId));
            case ConfigResourceType.BrokerLogger:
                (error, message, var loggers) = BrokerLoggerConfigs.Describe(_logLevels, _config.NodeId, resource.ResourceName);
                return loggers;
            default:
                error = ErrorCode.InvalidRequest;
                message = $"Resource type {resource.ResourceType} has no configs this broker can describe.";
                return null;
        }
    }

    private static DescribeConfigsResponse.DescribeConfigsResourceResult Describe(ConfigEntry entry, DescribeConfigsRequest request, short version)
    {
        var result = new DescribeConfigsResponse.DescribeConfigsResourceResult
        {
            Name = entry.Name,
            Value = entry.Value,
            ReadOnly = entry.ReadOnly,
            IsDefault = entry.IsDefault,
            ConfigSource = (sbyte)entry.Source,
            IsSensitive = entry.IsSensitive,
            ConfigType = (sbyte)entry.Type,
            Documentation = version >= 3 && request.IncludeDocumentation ? entry.Documentation : null,
        };
        if (request.IncludeSynonyms)
        {
            foreach (var synonym in entry.Synonyms)
            {
                result.Synonyms.Add(new DescribeConfigsResponse.DescribeConfigsSynonym
                {
                    Name = synonym.Name,
                    Value = synonym.Value,
                    Source = (sbyte)synonym.Source,
                });
            }
        }

        return result;
    }
}
