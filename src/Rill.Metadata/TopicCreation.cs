using Microsoft.Extensions.Logging;
using Rill.Common;
using Rill.Config;
using Rill.Protocol.Messages;

namespace Rill.Metadata;

/// <summary>
/// The controller's decisions for CreateTopics and CreatePartitions (kafka: ReplicationControlManager.createTopic,
/// createPartitions): names, counts, explicit replica assignments and topic configs checked as Kafka checks them, and
/// the broker's partition-replica limit checked up front, so that one request cannot create more logs than the node
/// can hold open. Each topic of a request is decided on the state the ones before it leave.
/// </summary>
internal sealed class TopicCreation
{
    private readonly ServerConfig _config;
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly List<ApiMessageAndVersion> _records = [];
    private MetadataImage _state;

    public TopicCreation(ServerConfig config, MetadataImage state, Random random, ILogger logger)
    {
        _config = config;
        _state = state;
        _random = random;
        _logger = logger;
    }

    public ControllerResult<CreateTopicsResponse> Decide(CreateTopicsRequest request)
    {
        var response = new CreateTopicsResponse();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = request.Topics.Where(t => !seen.Add(t.Name)).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var topic in request.Topics)
        {
            var result = new CreateTopicsResponse.CreatableTopicResult { Name = topic.Name };
            response.Topics.Add(result);
            if (duplicates.Contains(topic.Name))
            {
                Fail(result, ErrorCode.InvalidRequest, $"Topic '{topic.Name}' appears more than once in the request.");
                continue;
            }

            CreateTopic(topic, result, request.ValidateOnly);
        }

        return new(_records, response);
    }

    public ControllerResult<CreatePartitionsResponse> Decide(CreatePartitionsRequest request)
    {
        var response = new CreatePartitionsResponse();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = request.Topics.Where(t => !seen.Add(t.Name)).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var topic in request.Topics)
        {
            var (error, message) = duplicates.Contains(topic.Name)
                ? (ErrorCode.InvalidRequest, $"Topic '{topic.Name}' appears more than once in the request.")
                : CreatePartitions(topic, request.ValidateOnly);
            response.Results.Add(new CreatePartitionsResponse.CreatePartitionsTopicResult
            {
                Name = topic.Name,
                ErrorCode = (short)error,
                ErrorMessage = message,
            });
        }

        return new(_records, response);
    }

    private void CreateTopic(CreateTopicsRequest.CreatableTopic topic, CreateTopicsResponse.CreatableTopicResult result, bool validateOnly)
    {
        var name = topic.Name;
        if (TopicNames.Validate(name) is { } invalid)
        {
            Fail(result, ErrorCode.InvalidTopicException, invalid);
            return;
        }

        if (_state.Topics.ContainsKey(name))
        {
            Fail(result, ErrorCode.TopicAlreadyExists, $"Topic '{name}' already exists.");
            return;
        }

        var unified = TopicNames.Unify(name);
        if (_state.Topics.Keys.FirstOrDefault(existing => TopicNames.Unify(existing) == unified) is { } collision)
        {
            Fail(result, ErrorCode.InvalidTopicException, $"Topic '{name}' collides with existing topic '{collision}' ('.' and '_' are treated alike).");
            return;
        }

        var (placementError, placementMessage, placement) = topic.Assignments.Count > 0
            ? ManualPlacement(topic)
            : AutomaticPlacement(topic.NumPartitions, topic.ReplicationFactor);
        if (placementError != ErrorCode.None)
        {
            Fail(result, placementError, placementMessage!);
            return;
        }

        var configs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var config in topic.Configs)
        {
            if (config.Value is null)
            {
                Fail(result, ErrorCode.InvalidConfig, $"Config '{config.Name}' has a null value; topic configs need a value.");
                return;
            }

            if (!configs.TryAdd(config.Name, config.Value))
            {
                Fail(result, ErrorCode.InvalidConfig, $"Config '{config.Name}' is given more than once.");
                return;
            }
        }

        EffectiveTopicConfig effective;
        try
        {
            effective = TopicConfigs.Resolve(_config, _state.DynamicConfigOf(_config.NodeId), configs);
            TopicConfigs.CheckApplicable(effective, $"topic '{name}'");
        }
        catch (ConfigException exception)
        {
            Fail(result, ErrorCode.InvalidConfig, exception.Message);
            return;
        }

        if (CheckReplicaLimit(placement!) is { } limit)
        {
            Fail(result, ErrorCode.PolicyViolation, limit);
            return;
        }

        var topicId = Uuid.NewRandom();
        var records = new List<ApiMessageAndVersion>(1 + configs.Count + placement!.Count) { MetadataController.TopicRecordOf(name, topicId) };
        records.AddRange(configs.Select(pair => MetadataController.ConfigRecordOf(name, pair.Key, pair.Value)));
        records.AddRange(placement.Select((replicas, partition) => PartitionRecordOf(topicId, partition, replicas)));
        Add(records);
        if (!validateOnly)
        {
            MetadataLog.TopicCreated(_logger, name, topicId, placement.Count);
        }

        result.TopicId = validateOnly ? Uuid.Zero : topicId;
        result.NumPartitions = placement.Count;
        result.ReplicationFactor = (short)placement[0].Count;
        result.Configs = [.. effective.Entries.Select(entry => new CreateTopicsResponse.CreatableTopicConfigs
        {
            Name = entry.Name,
            Value = entry.Value,
            ReadOnly = entry.ReadOnly,
            ConfigSource = (sbyte)entry.Source,
            IsSensitive = entry.IsSensitive,
        })];
    }

    private (ErrorCode, string?) CreatePartitions(CreatePartitionsRequest.CreatePartitionsTopic request, bool validateOnly)
    {
        var name = request.Name;
        if (!_state.Topics.TryGetValue(name, out var topic))
        {
            return (ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
        }

        var current = topic.Partitions.Length;
        if (request.Count < current)
        {
            return (ErrorCode.InvalidPartitions, $"Topic '{name}' has {current} partitions; the count can only grow, not go to {request.Count}.");
        }

        if (request.Count == current)
        {
            return (ErrorCode.InvalidPartitions, $"Topic '{name}' already has {current} partitions.");
        }

        var additional = request.Count - current;
        var factor = topic.Partitions[0].Replicas.Length;
        List<List<int>> placement;
        // An empty list is read as none: the generated default, and what no client means as "zero new partitions".
        if (request.Assignments is { Count: > 0 } assignments)
        {
            // Kafka's messages (ReplicationControlManager.createPartitions), which admin clients' tests match on.
            if (assignments.Count != additional)
            {
                return (ErrorCode.InvalidReplicaAssignment,
                    $"Attempted to add {additional} additional partition(s), but only {assignments.Count} assignment(s) were specified.");
            }

            placement = [];
            for (var i = 0; i < assignments.Count; i++)
            {
                var replicas = assignments[i].BrokerIds;
                if ((CheckAssignment(_state, replicas, factor) ?? CheckActive(replicas, current + i)) is { } invalid)
                {
                    return (ErrorCode.InvalidReplicaAssignment, invalid);
                }

                placement.Add(replicas);
            }
        }
        else
        {
            var (error, message, automatic) = AutomaticPlacement(additional, (short)factor);
            if (error != ErrorCode.None)
            {
                return (error, message);
            }

            placement = automatic!;
        }

        if (CheckReplicaLimit(placement) is { } limit)
        {
            return (ErrorCode.PolicyViolation, limit);
        }

        Add([.. placement.Select((replicas, i) => PartitionRecordOf(topic.Id, current + i, replicas))]);
        if (!validateOnly)
        {
            MetadataLog.PartitionsCreated(_logger, name, request.Count);
        }

        return (ErrorCode.None, null);
    }

    // Kafka's rules and messages for explicit assignments (ReplicationControlManager.createTopic).
    private (ErrorCode, string?, List<List<int>>?) ManualPlacement(CreateTopicsRequest.CreatableTopic topic)
    {
        if (topic.ReplicationFactor != -1)
        {
            return (ErrorCode.InvalidRequest, "A manual partition assignment was specified, but replication factor was not set to -1.", null);
        }

        if (topic.NumPartitions != -1)
        {
            return (ErrorCode.InvalidRequest, "A manual partition assignment was specified, but numPartitions was not set to -1.", null);
        }

        var byIndex = new Dictionary<int, List<int>>();
        int? factor = null;
        foreach (var assignment in topic.Assignments)
        {
            if (byIndex.ContainsKey(assignment.PartitionIndex))
            {
                return (ErrorCode.InvalidReplicaAssignment, $"Found multiple manual partition assignments for partition {assignment.PartitionIndex}", null);
            }

            if ((CheckAssignment(_state, assignment.BrokerIds, factor) ?? CheckActive(assignment.BrokerIds, assignment.PartitionIndex)) is { } invalid)
            {
                return (ErrorCode.InvalidReplicaAssignment, invalid, null);
            }

            factor = assignment.BrokerIds.Count;
            byIndex.Add(assignment.PartitionIndex, assignment.BrokerIds);
        }

        var placement = new List<List<int>>(byIndex.Count);
        for (var i = 0; i < byIndex.Count; i++)
        {
            if (!byIndex.TryGetValue(i, out var replicas))
            {
                return (ErrorCode.InvalidReplicaAssignment, "partitions should be a consecutive 0-based integer sequence", null);
            }

            placement.Add(replicas);
        }

        return (ErrorCode.None, null, placement);
    }

    /// <summary>Kafka's validateManualPartitionAssignment: non-empty, registered brokers, no repeats, as many as the others.</summary>
    internal static string? CheckAssignment(MetadataImage state, IReadOnlyList<int> replicas, int? factor)
    {
        if (replicas.Count == 0)
        {
            return "The manual partition assignment includes an empty replica list.";
        }

        int? previous = null;
        foreach (var broker in replicas.Order())
        {
            if (!state.Brokers.ContainsKey(broker))
            {
                return $"The manual partition assignment includes broker {broker}, but no such broker is registered.";
            }

            if (broker == previous)
            {
                return $"The manual partition assignment includes the broker {broker} more than once.";
            }

            previous = broker;
        }

        return factor is { } expected && replicas.Count != expected
            ? $"The manual partition assignment includes a partition with {replicas.Count} replica(s), but this is not consistent with previous partitions, which have {expected} replica(s)."
            : null;
    }

    private string? CheckActive(List<int> replicas, int partition) =>
        replicas.Any(broker => ReplicationControl.IsActive(_state, broker))
            ? null
            : $"All brokers specified in the manual partition assignment for partition {partition} are fenced or in controlled shutdown.";

    private (ErrorCode, string?, List<List<int>>?) AutomaticPlacement(int numPartitions, short replicationFactor)
    {
        var partitions = numPartitions == -1 ? _config.NumPartitions : numPartitions;
        if (partitions <= 0)
        {
            return (ErrorCode.InvalidPartitions, $"Number of partitions must be larger than 0, not {numPartitions}.", null);
        }

        var factor = replicationFactor == -1 ? _config.DefaultReplicationFactor : replicationFactor;
        if (factor <= 0)
        {
            return (ErrorCode.InvalidReplicationFactor, $"Replication factor must be larger than 0, not {replicationFactor}.", null);
        }

        // Replicas go only to brokers that can take them now: unfenced and not shutting down.
        var brokers = _state.Brokers.Values.Where(broker => broker.IsActive).ToList();
        if (factor > brokers.Count)
        {
            return (ErrorCode.InvalidReplicationFactor, $"Replication factor {factor} is larger than the {brokers.Count} available brokers.", null);
        }

        // The replica limit is checked before the placement is built, so a huge count costs nothing: whatever the
        // placement, the busiest broker ends with at least the average of what the brokers that get replicas hold.
        var held = Held();
        var total = brokers.Sum(broker => held.GetValueOrDefault(broker.BrokerId)) + ((long)partitions * factor);
        var atLeast = Math.Max(held.Values.DefaultIfEmpty(0).Max(), (total + brokers.Count - 1) / brokers.Count);
        if (atLeast > _config.MaxPartitionReplicasPerBroker)
        {
            return (ErrorCode.PolicyViolation, LimitMessage(atLeast), null);
        }

        var placer = new ReplicaPlacer(brokers, _random);
        var placement = new List<List<int>>(partitions);
        for (var p = 0; p < partitions; p++)
        {
            placement.Add(placer.Place(factor));
        }

        return (ErrorCode.None, null, placement);
    }

    // A new partition's ISR is its replicas that can take part now, led by the first of them (kafka:
    // ReplicationControlManager.createTopic); explicit assignments may name fenced brokers, which join once they catch up.
    private ApiMessageAndVersion PartitionRecordOf(Uuid topicId, int partition, List<int> replicas) =>
        MetadataController.PartitionRecordOf(topicId, partition, replicas, [.. replicas.Where(broker => ReplicationControl.IsActive(_state, broker))]);

    // Every broker opens about three files per partition replica it holds (.log, .index, .timeindex); past the limit the
    // node would run out of file handles, so the request is refused before anything is recorded.
    private string? CheckReplicaLimit(List<List<int>> placement)
    {
        var held = Held();
        foreach (var replicas in placement)
        {
            foreach (var broker in replicas)
            {
                held[broker] = held.GetValueOrDefault(broker) + 1;
            }
        }

        var most = held.Count == 0 ? 0 : held.Values.Max();
        return most > _config.MaxPartitionReplicasPerBroker ? LimitMessage(most) : null;
    }

    // Partition replicas each broker holds in the state, counting the topics decided earlier in this request.
    private Dictionary<int, long> Held()
    {
        var held = new Dictionary<int, long>();
        foreach (var topic in _state.Topics.Values)
        {
            foreach (var partition in topic.Partitions)
            {
                foreach (var broker in partition.Replicas)
                {
                    held[broker] = held.GetValueOrDefault(broker) + 1;
                }
            }
        }

        return held;
    }

    private string LimitMessage(long wouldHold) =>
        $"The request would put {wouldHold} partition replicas on one broker, above its limit of {_config.MaxPartitionReplicasPerBroker} ({BrokerConfigs.MaxPartitionReplicasPerBrokerConfig}).";

    private void Add(IReadOnlyList<ApiMessageAndVersion> records)
    {
        _records.AddRange(records);
        _state = MetadataController.Replay(_state, records, _state.Offset);
    }

    private static void Fail(CreateTopicsResponse.CreatableTopicResult result, ErrorCode code, string message)
    {
        result.ErrorCode = (short)code;
        result.ErrorMessage = message;
    }
}
