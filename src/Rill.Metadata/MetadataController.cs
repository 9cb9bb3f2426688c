using Microsoft.Extensions.Logging;
using Rill.Common;
using Rill.Config;
using Rill.Protocol.MetadataRecords;
using Rill.Protocol.Messages;

namespace Rill.Metadata;

/// <summary>
/// Decides cluster metadata changes; only the active controller runs it (kafka: QuorumController). Each operation
/// takes a request value, decides on the controller's state a <see cref="ControllerResult{TResponse}"/> of records and
/// response, appends the records to the metadata log and completes once they are committed. Nothing the node serves
/// changes here: the <see cref="MetadataLoader"/> applies committed batches. Operations run one at a time, so a
/// read-modify-write (an APPEND to a config list, say) always sees the previous operation's records.
/// </summary>
public sealed partial class MetadataController : IDisposable
{
    private const short TopicRecordVersion = 0;
    private const short PartitionRecordVersion = 0;
    private const short ConfigRecordVersion = 0;
    private const short RemoveTopicRecordVersion = 0;

    private readonly IMetadataLog _log;
    private readonly ServerConfig _config;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _operations = new(1, 1);

    // The controller's own state: the committed image plus every record it appended since (the same replay the loader
    // runs), so that a decision always sees the ones before it even before the loader has caught up.
    private MetadataImage _state;

    /// <param name="state">The image of everything committed so far, from the loader when this node becomes active.</param>
    /// <param name="clusterId">The cluster id in meta.properties; brokers of another cluster are refused.</param>
    /// <param name="time">The clock of broker sessions.</param>
    /// <param name="random">Where replica placement starts its stripes.</param>
    public MetadataController(
        IMetadataLog log,
        MetadataImage state,
        ServerConfig config,
        string clusterId,
        TimeProvider time,
        Random random,
        ILogger<MetadataController> logger)
    {
        _log = log;
        _state = state;
        _config = config;
        _logger = logger;
        _random = random;
        _cluster = new ClusterControl(config, clusterId, state, time, logger);
    }

    public Task<ControllerResult<CreateTopicsResponse>> CreateTopicsAsync(CreateTopicsRequest request, CancellationToken cancellationToken) =>
        RunAsync(state => new TopicCreation(_config, state, _random, _logger).Decide(request), !request.ValidateOnly, cancellationToken);

    public Task<ControllerResult<CreatePartitionsResponse>> CreatePartitionsAsync(CreatePartitionsRequest request, CancellationToken cancellationToken) =>
        RunAsync(state => new TopicCreation(_config, state, _random, _logger).Decide(request), !request.ValidateOnly, cancellationToken);

    public Task<ControllerResult<DeleteTopicsResponse>> DeleteTopicsAsync(DeleteTopicsRequest request, CancellationToken cancellationToken) =>
        RunAsync(state => DeleteTopics(state, request), commit: true, cancellationToken);

    public Task<ControllerResult<AlterConfigsResponse>> AlterConfigsAsync(AlterConfigsRequest request, CancellationToken cancellationToken) =>
        RunAsync(state => AlterConfigs(state, request), !request.ValidateOnly, cancellationToken);

    public Task<ControllerResult<IncrementalAlterConfigsResponse>> IncrementalAlterConfigsAsync(
        IncrementalAlterConfigsRequest request,
        CancellationToken cancellationToken) =>
        RunAsync(state => IncrementalAlterConfigs(state, request), !request.ValidateOnly, cancellationToken);

    public void Dispose() => _operations.Dispose();

    // One operation at a time: decide on the state, append and wait for the commit, replay the records into the state.
    // The decide functions are the controller's own code; only request values come in from outside. A commit that
    // does not come (the quorum lost its majority) holds the next operations until the caller's cancellation.
    private async Task<ControllerResult<TResponse>> RunAsync<TResponse>(
        Func<MetadataImage, ControllerResult<TResponse>> decide,
        bool commit,
        CancellationToken cancellationToken)
    {
        await _operations.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = decide(_state);
            if (!commit || result.Records.Count == 0)
            {
                return result with { Records = [] };
            }

            var offset = await _log.AppendAsync(result.Records, cancellationToken).ConfigureAwait(false);
            _state = Replay(_state, result.Records, offset);
            return result;
        }
        finally
        {
            _operations.Release();
        }
    }

    internal static MetadataImage Replay(MetadataImage image, IReadOnlyList<ApiMessageAndVersion> records, long offset)
    {
        var delta = new MetadataDelta(image);
        foreach (var record in records)
        {
            delta.Replay(record.Message);
        }

        return delta.Apply(offset);
    }

    private ControllerResult<DeleteTopicsResponse> DeleteTopics(MetadataImage state, DeleteTopicsRequest request)
    {
        var response = new DeleteTopicsResponse();
        var records = new List<ApiMessageAndVersion>();
        var deleted = new HashSet<Uuid>();
        foreach (var topic in request.Topics)
        {
            var result = new DeleteTopicsResponse.DeletableTopicResult { Name = topic.Name, TopicId = topic.TopicId };
            response.Responses.Add(result);
            var (error, message) = DeleteTopic(state, topic, result, deleted);
            result.ErrorCode = (short)error;
            result.ErrorMessage = message;
            if (error == ErrorCode.None)
            {
                records.Add(new(new RemoveTopicRecord { TopicId = result.TopicId }, RemoveTopicRecordVersion));
                MetadataLog.TopicDeleted(_logger, result.Name!);
            }
        }

        return new(records, response);
    }

    private (ErrorCode, string?) DeleteTopic(
        MetadataImage state,
        DeleteTopicsRequest.DeleteTopicState topic,
        DeleteTopicsResponse.DeletableTopicResult result,
        HashSet<Uuid> deleted)
    {
        if (!_config.DeleteTopicEnable)
        {
            return (ErrorCode.TopicDeletionDisabled, "Topic deletion is disabled (delete.topic.enable=false).");
        }

        TopicImage? image;
        if (topic.Name is null)
        {
            if (!state.TryGetTopic(topic.TopicId, out image))
            {
                return (ErrorCode.UnknownTopicId, $"No topic has id {topic.TopicId}.");
            }

            result.Name = image.Name;
        }
        else if (topic.TopicId != Uuid.Zero)
        {
            return (ErrorCode.InvalidRequest, "Name a topic by its name or by its id, not both.");
        }
        else if (!state.TryGetTopic(topic.Name, out image))
        {
            return (ErrorCode.UnknownTopicOrPartition, $"Topic '{topic.Name}' does not exist.");
        }

        if (!deleted.Add(image.Id))
        {
            return (ErrorCode.InvalidRequest, $"Topic '{image.Name}' appears more than once in the request.");
        }

        result.TopicId = image.Id;
        return (ErrorCode.None, null);
    }

    private ControllerResult<AlterConfigsResponse> AlterConfigs(MetadataImage state, AlterConfigsRequest request)
    {
        var response = new AlterConfigsResponse();
        var records = new List<ApiMessageAndVersion>();
        foreach (var resource in request.Resources)
        {
            var configs = resource.Configs.Select(c => (c.Name, c.Value)).ToList();
            var (error, message, changes) = (ConfigResourceType)resource.ResourceType switch
            {
                ConfigResourceType.Topic => TopicConfigChanges.Decide(
                    state,
                    _config.NodeId,
                    resource.ResourceName,
                    request.ValidateOnly,
                    (current, dynamic) => TopicConfigChanges.Replace(_config, dynamic, current, configs)),
                ConfigResourceType.Broker => BrokerConfigChanges.Decide(
                    state,
                    _config,
                    resource.ResourceName,
                    request.ValidateOnly,
                    (_, _) => BrokerConfigChanges.Replace(configs)),
                _ => NotAlterable(resource.ResourceType),
            };
            state = Record(state, records, new ConfigResource((ConfigResourceType)resource.ResourceType, resource.ResourceName), changes);
            response.Responses.Add(new AlterConfigsResponse.AlterConfigsResourceResponse
            {
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
                ErrorCode = (short)error,
                ErrorMessage = message,
            });
        }

        return new(records, response);
    }

    private ControllerResult<IncrementalAlterConfigsResponse> IncrementalAlterConfigs(MetadataImage state, IncrementalAlterConfigsRequest request)
    {
        var response = new IncrementalAlterConfigsResponse();
        var records = new List<ApiMessageAndVersion>();
        foreach (var resource in request.Resources)
        {
            var operations = resource.Configs.Select(c => (c.Name, c.ConfigOperation, c.Value)).ToList();
            var (error, message, changes) = (ConfigResourceType)resource.ResourceType switch
            {
                ConfigResourceType.Topic => TopicConfigChanges.Decide(
                    state,
                    _config.NodeId,
                    resource.ResourceName,
                    request.ValidateOnly,
                    (current, dynamic) => TopicConfigChanges.Incremental(_config, dynamic, current, operations)),
                ConfigResourceType.Broker => BrokerConfigChanges.Decide(
                    state,
                    _config,
                    resource.ResourceName,
                    request.ValidateOnly,
                    (current, dynamic) => BrokerConfigChanges.Incremental(_config, dynamic, resource.ResourceName, current, operations)),
                _ => NotAlterable(resource.ResourceType),
            };
            state = Record(state, records, new ConfigResource((ConfigResourceType)resource.ResourceType, resource.ResourceName), changes);
            response.Responses.Add(new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse
            {
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
                ErrorCode = (short)error,
                ErrorMessage = message,
            });
        }

        return new(records, response);
    }

    private static (ErrorCode, string?, List<KeyValuePair<string, string?>>) NotAlterable(sbyte resourceType) =>
        (ErrorCode.InvalidRequest, $"Resource type {resourceType} has no configs the controller can alter.", []);

    // Adds one resource's config records to the request's batch; the next resource of the same request is decided on
    // the state they leave.
    private static MetadataImage Record(
        MetadataImage state,
        List<ApiMessageAndVersion> records,
        ConfigResource resource,
        List<KeyValuePair<string, string?>> changes)
    {
        if (changes.Count == 0)
        {
            return state;
        }

        var added = new List<ApiMessageAndVersion>(changes.Count);
        foreach (var (key, value) in changes)
        {
            added.Add(new(
                new ConfigRecord { ResourceType = (sbyte)resource.Type, ResourceName = resource.Name, Name = key, Value = value },
                ConfigRecordVersion));
        }

        records.AddRange(added);
        return Replay(state, added, state.Offset);
    }

    internal static ApiMessageAndVersion TopicRecordOf(string name, Uuid topicId) =>
        new(new TopicRecord { Name = name, TopicId = topicId }, TopicRecordVersion);

    internal static ApiMessageAndVersion ConfigRecordOf(string topic, string key, string value) =>
        new(new ConfigRecord { ResourceType = (sbyte)ConfigResourceType.Topic, ResourceName = topic, Name = key, Value = value }, ConfigRecordVersion);

    internal static ApiMessageAndVersion PartitionRecordOf(Uuid topicId, int partition, IReadOnlyList<int> replicas, IReadOnlyList<int> isr)
    {
        var record = new PartitionRecord
        {
            PartitionId = partition,
            TopicId = topicId,
            LeaderEpoch = 0,
            PartitionEpoch = 0,
            Leader = isr[0],
        };
        record.Replicas.AddRange(replicas);
        record.Isr.AddRange(isr);
        return new(record, PartitionRecordVersion);
    }
}
