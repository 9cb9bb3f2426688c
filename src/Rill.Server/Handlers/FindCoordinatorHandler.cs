using Rill.Common;
using Rill.Coordinator;
using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Server.Groups;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>
/// Says which broker coordinates a group: the leader of the group's partition of <c>__consumer_offsets</c>, which it
/// creates on first use, as Kafka does. Like Kafka it names the leader as soon as it leads, while that partition may
/// still be loading (the group APIs answer COORDINATOR_LOAD_IN_PROGRESS until it is). v4+ batches several keys.
/// Transaction coordinators do not exist yet, so transactional keys are refused.
/// </summary>
public sealed class FindCoordinatorHandler : ApiHandler<FindCoordinatorRequest>
{
    private const sbyte GroupKeyType = 0;

    private readonly IMetadataView _controller;
    private readonly GroupCoordinator _coordinator;
    private readonly OffsetsTopic _offsetsTopic;
    private readonly int _nodeId;

    public FindCoordinatorHandler(IMetadataView controller, GroupCoordinator coordinator, OffsetsTopic offsetsTopic, int nodeId)
    {
        _controller = controller;
        _coordinator = coordinator;
        _offsetsTopic = offsetsTopic;
        _nodeId = nodeId;
    }

    protected override async ValueTask<ApiResponse> HandleAsync(RequestContext context, FindCoordinatorRequest request, CancellationToken cancellationToken)
    {
        // __consumer_offsets is created on first use, as in Kafka; a request that only asks about transactions or has
        // no valid key does not create it. When it cannot be created yet (fewer live brokers than its replication
        // factor), every group key is answered COORDINATOR_NOT_AVAILABLE, which clients retry, as Kafka answers.
        string? notCreated = null;
        if (request.KeyType == GroupKeyType && (context.ApiVersion >= 4 ? request.CoordinatorKeys.Any(k => k.Length > 0) : !string.IsNullOrEmpty(request.Key)))
        {
            notCreated = await _offsetsTopic.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        }

        var response = new FindCoordinatorResponse();
        if (context.ApiVersion >= 4)
        {
            foreach (var key in request.CoordinatorKeys)
            {
                var answer = Find(key, request.KeyType, context.Connection.ListenerName, notCreated);
                response.Coordinators.Add(new FindCoordinatorResponse.Coordinator
                {
                    Key = key,
                    NodeId = answer.NodeId,
                    Host = answer.Host,
                    Port = answer.Port,
                    ErrorCode = (short)answer.Error,
                    ErrorMessage = answer.Message,
                });
            }
        }
        else
        {
            var answer = Find(request.Key, request.KeyType, context.Connection.ListenerName, notCreated);
            response.NodeId = answer.NodeId;
            response.Host = answer.Host;
            response.Port = answer.Port;
            response.ErrorCode = (short)answer.Error;
            response.ErrorMessage = answer.Message;
        }

        return ApiResponse.Of(response);
    }

    private (ErrorCode Error, string? Message, int NodeId, string Host, int Port) Find(string key, sbyte keyType, string listener, string? notCreated)
    {
        if (keyType != GroupKeyType)
        {
            return (ErrorCode.InvalidRequest, "Only group coordinators exist on this broker; transactions are not supported.", -1, string.Empty, -1);
        }

        if (string.IsNullOrEmpty(key))
        {
            return (ErrorCode.InvalidRequest, "The group id is empty.", -1, string.Empty, -1);
        }

        if (notCreated is not null)
        {
            return (ErrorCode.CoordinatorNotAvailable, notCreated, -1, string.Empty, -1);
        }

        // The coordinator is the leader of the group's partition of the offsets topic, on whichever broker that is.
        var image = _controller.Image;
        if (!image.TryGetTopic(OffsetsTopic.Name, out var offsets) || offsets.Partitions.IsEmpty)
        {
            return (ErrorCode.CoordinatorNotAvailable, $"{OffsetsTopic.Name} does not exist yet.", -1, string.Empty, -1);
        }

        var partition = _coordinator.PartitionFor(key);
        var leader = partition < offsets.Partitions.Length ? offsets.Partitions[partition].Leader : PartitionRegistration.NoLeader;
        if (leader == PartitionRegistration.NoLeader)
        {
            return (ErrorCode.CoordinatorNotAvailable, $"{OffsetsTopic.Name}-{partition} has no leader.", -1, string.Empty, -1);
        }

        if (leader == _nodeId && _coordinator.CoordinatorStateFor(key) is var state and not ErrorCode.None)
        {
            return (state, $"The coordinator for group '{key}' is not ready ({state}).", -1, string.Empty, -1);
        }

        var endpoint = image.Brokers.GetValueOrDefault(leader)?.Endpoints.FirstOrDefault(e => e.Name == listener);
        return endpoint is null
            ? (ErrorCode.CoordinatorNotAvailable, $"Broker {leader}, which leads {OffsetsTopic.Name}-{partition}, has no endpoint on the request's listener.", -1, string.Empty, -1)
            : (ErrorCode.None, null, leader, endpoint.Host, endpoint.Port);
    }
}
