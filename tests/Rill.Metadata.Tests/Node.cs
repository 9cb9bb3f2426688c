using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rill.Common;
using Rill.Config;
using Rill.Protocol.Messages;

namespace Rill.Metadata.Tests;

/// <summary>
/// One combined node's metadata: a log that commits each append at once (the quorum of one), the loader that applies
/// its commits and the active controller, on a fake clock and a seeded placement. Brokers other than the node's own
/// register through it as if they heartbeated to it. The log's batches are kept per directory for the test run, so a
/// node opened again on the same directory replays them, as a restart replays the quorum's log.
/// </summary>
internal sealed class Node : IDisposable
{
    public const string ClusterId = "metadata-tests-cluster";

    private static readonly ConcurrentDictionary<string, List<MetadataBatch>> Logs = new(StringComparer.Ordinal);

    private Node(string dir, ServerConfig config)
    {
        Config = config;
        Directory.CreateDirectory(dir);
        var batches = Logs.GetOrAdd(dir, _ => []);
        Loader = new MetadataLoader(NullLogger<MetadataLoader>.Instance);
        foreach (var batch in batches)
        {
            Loader.HandleCommit(batch);
        }

        Log = new CommittingLog(Loader, batches);
        Controller = new MetadataController(Log, Loader.Image, config, ClusterId, Time, new Random(42), NullLogger<MetadataController>.Instance);
    }

    public ServerConfig Config { get; }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));

    /// <summary>The incarnation each broker registered with last, so that a heartbeat names the right epoch.</summary>
    public Dictionary<int, long> Epochs { get; } = [];

    public CommittingLog Log { get; }

    public MetadataLoader Loader { get; }

    public MetadataController Controller { get; }

    public MetadataImage Image => Loader.Image;

    public static Node Open(string dir, params string[] overrides) =>
        new(dir, ServerConfig.Load(null, new Dictionary<string, string>(), ["node.id=1", "num.partitions=2", .. overrides]));

    public static Node OpenRegistered(string dir, params string[] overrides)
    {
        var node = Open(dir, overrides);
        node.RegisterAsync(1).GetAwaiter().GetResult();
        return node;
    }

    /// <summary>A cluster of <paramref name="brokers"/> unfenced brokers 1..n, with racks when given (one per broker).</summary>
    public static Node OpenCluster(string dir, int brokers, string?[]? racks = null, params string[] overrides)
    {
        var node = Open(dir, overrides);
        for (var id = 1; id <= brokers; id++)
        {
            node.RegisterAsync(id, racks?[id - 1]).GetAwaiter().GetResult();
        }

        return node;
    }

    /// <summary>Registers a new incarnation of the broker and heartbeats it unfenced, as its lifecycle manager does.</summary>
    public async Task RegisterAsync(int brokerId, string? rack = null)
    {
        var registered = await RegisterOnlyAsync(brokerId, Uuid.NewRandom(), rack);
        Assert.Equal((short)ErrorCode.None, registered.ErrorCode);
        var heartbeat = await HeartbeatAsync(brokerId);
        Assert.False(heartbeat.IsFenced);
    }

    public async Task<BrokerRegistrationResponse> RegisterOnlyAsync(int brokerId, Uuid incarnationId, string? rack = null, string clusterId = ClusterId)
    {
        var request = new BrokerRegistrationRequest { BrokerId = brokerId, ClusterId = clusterId, IncarnationId = incarnationId, Rack = rack };
        request.Listeners.Add(new BrokerRegistrationRequest.Listener { Name = "PLAINTEXT", Host = "localhost", Port = (ushort)(9090 + brokerId) });
        var response = (await Controller.RegisterBrokerAsync(request, CancellationToken.None)).Response;
        if (response.ErrorCode == (short)ErrorCode.None)
        {
            Epochs[brokerId] = response.BrokerEpoch;
        }

        return response;
    }

    /// <summary>A heartbeat at the loader's offset (every broker here reads the same log), or at <paramref name="offset"/>.</summary>
    public async Task<BrokerHeartbeatResponse> HeartbeatAsync(int brokerId, bool wantShutDown = false, long? offset = null, long? epoch = null) =>
        (await Controller.BrokerHeartbeatAsync(
            new BrokerHeartbeatRequest
            {
                BrokerId = brokerId,
                BrokerEpoch = epoch ?? Epochs[brokerId],
                CurrentMetadataOffset = offset ?? Image.Offset,
                WantShutDown = wantShutDown,
            },
            CancellationToken.None)).Response;

    /// <summary>Lets time pass, then heartbeats every broker but <paramref name="silent"/>: only the silent ones' sessions run out.</summary>
    public async Task AdvanceAsync(TimeSpan elapsed, params int[] silent)
    {
        Time.Advance(elapsed);
        foreach (var brokerId in Epochs.Keys.Where(id => !silent.Contains(id)).Order())
        {
            await HeartbeatAsync(brokerId);
        }
    }

    public PartitionRegistration Partition(string topic, int partition) => Image.Topics[topic].Partitions[partition];

    public async Task<CreateTopicsResponse.CreatableTopicResult> CreateAssignedTopicAsync(string name, params int[][] assignments)
    {
        var topic = new CreateTopicsRequest.CreatableTopic
        {
            Name = name,
            NumPartitions = -1,
            ReplicationFactor = -1,
            Assignments = [.. assignments.Select((brokers, i) => new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = i, BrokerIds = [.. brokers] })],
        };
        var result = await Controller.CreateTopicsAsync(new CreateTopicsRequest { Topics = [topic] }, CancellationToken.None);
        return result.Response.Topics[0];
    }

    public async Task<CreateTopicsResponse.CreatableTopicResult> CreateTopicAsync(
        string name, int partitions, short replicationFactor, bool validateOnly = false, params (string Key, string Value)[] configs)
    {
        var topic = new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = partitions, ReplicationFactor = replicationFactor };
        topic.Configs.AddRange(configs.Select(c => new CreateTopicsRequest.CreatableTopicConfig { Name = c.Key, Value = c.Value }));
        var result = await Controller.CreateTopicsAsync(new CreateTopicsRequest { Topics = [topic], ValidateOnly = validateOnly }, CancellationToken.None);
        return result.Response.Topics[0];
    }

    public async Task<ErrorCode> CreatePartitionsAsync(string name, int count)
    {
        var request = new CreatePartitionsRequest { Topics = [new CreatePartitionsRequest.CreatePartitionsTopic { Name = name, Count = count }] };
        return (ErrorCode)(await Controller.CreatePartitionsAsync(request, CancellationToken.None)).Response.Results[0].ErrorCode;
    }

    public async Task<ErrorCode> DeleteTopicAsync(string name)
    {
        var request = new DeleteTopicsRequest { Topics = [new DeleteTopicsRequest.DeleteTopicState { Name = name }] };
        return (ErrorCode)(await Controller.DeleteTopicsAsync(request, CancellationToken.None)).Response.Responses[0].ErrorCode;
    }

    public async Task<IncrementalAlterConfigsResponse.AlterConfigsResourceResponse> AlterAsync(
        ConfigResourceType type, string name, params (string Key, sbyte Operation, string? Value)[] operations)
    {
        var resource = new IncrementalAlterConfigsRequest.AlterConfigsResource { ResourceType = (sbyte)type, ResourceName = name };
        resource.Configs.AddRange(operations.Select(o => new IncrementalAlterConfigsRequest.AlterableConfig { Name = o.Key, ConfigOperation = o.Operation, Value = o.Value }));
        var result = await Controller.IncrementalAlterConfigsAsync(new IncrementalAlterConfigsRequest { Resources = [resource] }, CancellationToken.None);
        return result.Response.Responses[0];
    }

    public void Dispose() => Controller.Dispose();
}

/// <summary>A metadata log whose every append is committed and applied before it returns, as on a quorum of one.</summary>
internal sealed class CommittingLog : IMetadataLog
{
    private readonly MetadataLoader _loader;
    private readonly List<MetadataBatch> _batches;

    public CommittingLog(MetadataLoader loader, List<MetadataBatch> batches)
    {
        _loader = loader;
        _batches = batches;
    }

    public IReadOnlyList<MetadataBatch> Batches => _batches;

    public Task<long> AppendAsync(IReadOnlyList<ApiMessageAndVersion> records, CancellationToken cancellationToken)
    {
        var lastOffset = (_batches.Count == 0 ? -1 : _batches[^1].LastOffset) + records.Count;
        var batch = new MetadataBatch(lastOffset, records);
        _batches.Add(batch);
        _loader.HandleCommit(batch);
        return Task.FromResult(lastOffset);
    }
}
