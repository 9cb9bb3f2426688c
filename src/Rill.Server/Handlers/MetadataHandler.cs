using Microsoft.Extensions.Logging;
using Rill.Common;
using Rill.Config;
using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>
/// Brokers, topics, partitions and leaders from the current metadata image, with each broker's endpoint on
/// the listener the request came in on. Unknown topics are created when the request and
/// <c>auto.create.topics.enable</c> both allow it.
/// </summary>
public sealed class MetadataHandler : ApiHandler<MetadataRequest>
{
    private readonly IMetadataView _metadata;
    private readonly IControllerClient _controller;
    private readonly ServerConfig _config;
    private readonly string _clusterId;
    private readonly ILogger _logger;

    public MetadataHandler(IMetadataView metadata, IControllerClient controller, ServerConfig config, string clusterId, ILogger logger)
    {
        _metadata = metadata;
        _controller = controller;
        _config = config;
        _clusterId = clusterId;
        _logger = logger;
    }

    protected override async ValueTask<ApiResponse> HandleAsync(RequestContext context, MetadataRequest request, CancellationToken cancellationToken)
    {
        var version = context.ApiVersion;
        var image = _metadata.Image;
        var response = new MetadataResponse
        {
            ClusterId = _clusterId,
            ControllerId = _config.NodeId,
        };
        foreach (var broker in image.Brokers.Values.OrderBy(b => b.BrokerId))
        {
            var endpoint = broker.Endpoints.FirstOrDefault(e => e.Name == context.Connection.ListenerName);
            if (endpoint is null || broker.Fenced)
            {
                continue;
            }

            response.Brokers.Add(new MetadataResponse.MetadataResponseBroker
            {
                NodeId = broker.BrokerId,
                Host = endpoint.Host,
                Port = endpoint.Port,
                Rack = broker.Rack,
            });
        }

        var includeOperations = version >= 8 && request.IncludeTopicAuthorizedOperations;
        var allTopics = request.Topics is null || (version == 0 && request.Topics.Count == 0);
        if (allTopics)
        {
            foreach (var topic in image.Topics.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                response.Topics.Add(Describe(image, topic, includeOperations));
            }
        }
        else
        {
            var autoCreate = _config.AutoCreateTopicsEnable && (version < 4 || request.AllowAutoTopicCreation);
            var created = autoCreate
                ? await AutoCreateAsync(image, request.Topics!, cancellationToken).ConfigureAwait(false)
                : new Dictionary<string, CreateTopicsResponse.CreatableTopicResult>(StringComparer.Ordinal);
            image = _metadata.Image;
            foreach (var requested in request.Topics!)
            {
                response.Topics.Add(DescribeRequested(requested, autoCreate, includeOperations, image, created));
            }
        }

        return ApiResponse.Of(response);
    }

    // The requested topics that do not exist and have a valid name, created in one request to the controller.
    private async Task<Dictionary<string, CreateTopicsResponse.CreatableTopicResult>> AutoCreateAsync(
        MetadataImage image,
        List<MetadataRequest.MetadataRequestTopic> requested,
        CancellationToken cancellationToken)
    {
        var create = new CreateTopicsRequest();
        foreach (var name in requested.Select(t => t.Name).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if (!image.Topics.ContainsKey(name) && TopicNames.Validate(name) is null)
            {
                create.Topics.Add(new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = -1, ReplicationFactor = -1 });
            }
        }

        if (create.Topics.Count == 0)
        {
            return new Dictionary<string, CreateTopicsResponse.CreatableTopicResult>(StringComparer.Ordinal);
        }

        var response = await _controller.CreateTopicsAsync(create, cancellationToken).ConfigureAwait(false);
        foreach (var result in response.Topics.Where(r => r.ErrorCode == (short)ErrorCode.None))
        {
            ServerLog.TopicAutoCreated(_logger, result.Name, result.NumPartitions);
        }

        return response.Topics.ToDictionary(r => r.Name, StringComparer.Ordinal);
    }

    private MetadataResponse.MetadataResponseTopic DescribeRequested(
        MetadataRequest.MetadataRequestTopic requested,
        bool autoCreate,
        bool includeOperations,
        MetadataImage image,
        Dictionary<string, CreateTopicsResponse.CreatableTopicResult> created)
    {
        if (requested.Name is null)
        {
            return image.TryGetTopic(requested.TopicId, out var byId)
                ? Describe(image, byId, includeOperations)
                : new MetadataResponse.MetadataResponseTopic
                {
                    ErrorCode = (short)ErrorCode.UnknownTopicId,
                    TopicId = requested.TopicId,
                };
        }

        if (image.TryGetTopic(requested.Name, out var topic))
        {
            return Describe(image, topic, includeOperations);
        }

        if (TopicNames.Validate(requested.Name) is not null)
        {
            return new MetadataResponse.MetadataResponseTopic
            {
                ErrorCode = (short)ErrorCode.InvalidTopicException,
                Name = requested.Name,
            };
        }

        if (!autoCreate)
        {
            return new MetadataResponse.MetadataResponseTopic
            {
                ErrorCode = (short)ErrorCode.UnknownTopicOrPartition,
                Name = requested.Name,
            };
        }

        // A topic auto-created by this request is in the image read after the creation; one that could not be
        // created answers with the controller's error.
        return new MetadataResponse.MetadataResponseTopic
        {
            ErrorCode = created.TryGetValue(requested.Name, out var result) ? result.ErrorCode : (short)ErrorCode.UnknownTopicOrPartition,
            Name = requested.Name,
        };
    }

    // As Kafka's KRaftMetadataCache: a partition whose leader is not a live broker answers LEADER_NOT_AVAILABLE with no
    // leader, and replicas on brokers that are fenced or gone are listed as offline.
    private static MetadataResponse.MetadataResponseTopic Describe(MetadataImage image, TopicImage topic, bool includeOperations)
    {
        var result = new MetadataResponse.MetadataResponseTopic
        {
            Name = topic.Name,
            TopicId = topic.Id,
            IsInternal = TopicNames.IsInternal(topic.Name),
            TopicAuthorizedOperations = includeOperations ? AclOperations.AllTopicOperations : int.MinValue,
        };
        foreach (var partition in topic.Partitions)
        {
            var leaderAlive = IsAlive(image, partition.Leader);
            result.Partitions.Add(new MetadataResponse.MetadataResponsePartition
            {
                ErrorCode = leaderAlive ? (short)ErrorCode.None : (short)ErrorCode.LeaderNotAvailable,
                PartitionIndex = partition.PartitionId,
                LeaderId = leaderAlive ? partition.Leader : PartitionRegistration.NoLeader,
                LeaderEpoch = partition.LeaderEpoch,
                ReplicaNodes = [.. partition.Replicas],
                IsrNodes = [.. partition.Isr],
                OfflineReplicas = [.. partition.Replicas.Where(replica => !IsAlive(image, replica))],
            });
        }

        return result;
    }

    private static bool IsAlive(MetadataImage image, int brokerId) =>
        image.Brokers.TryGetValue(brokerId, out var broker) && !broker.Fenced;
}
