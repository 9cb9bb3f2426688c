using Rill.Common;
using Rill.Metadata;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Raft;
using Rill.Server.Handlers;
using Rill.Server.Network;

namespace Rill.Server.Quorum;

/// <summary>
/// What a controller listener serves (kafka: ControllerApis): the quorum's own requests, handed to the Raft client,
/// and the requests brokers forward to the active controller, answered NOT_CONTROLLER by a voter that is not it.
/// </summary>
internal static class ControllerApis
{
    public static IEnumerable<IApiHandler> Create(ControllerServer controller, KafkaRaftClient raft)
    {
        yield return new RaftApiHandler<VoteRequest>(raft);
        yield return new RaftApiHandler<BeginQuorumEpochRequest>(raft);
        yield return new RaftApiHandler<EndQuorumEpochRequest>(raft);
        yield return new RaftApiHandler<FetchRequest>(raft);
        yield return new RaftApiHandler<FetchSnapshotRequest>(raft);
        yield return new RaftApiHandler<DescribeQuorumRequest>(raft);
        yield return new ControllerApiHandler<BrokerRegistrationRequest, BrokerRegistrationResponse>(controller, (c, r, t) => c.RegisterBrokerAsync(r, t));
        yield return new ControllerApiHandler<BrokerHeartbeatRequest, BrokerHeartbeatResponse>(controller, (c, r, t) => c.BrokerHeartbeatAsync(r, t));
        yield return new ControllerApiHandler<AlterPartitionRequest, AlterPartitionResponse>(controller, (c, r, t) => c.AlterPartitionAsync(r, t));
        yield return new ControllerApiHandler<ElectLeadersRequest, ElectLeadersResponse>(controller, (c, r, t) => c.ElectLeadersAsync(r, t));
        yield return new ControllerApiHandler<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse>(
            controller, (c, r, t) => c.AlterPartitionReassignmentsAsync(r, t));
        yield return new ControllerApiHandler<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse>(
            controller, (c, r, t) => c.ListPartitionReassignmentsAsync(r, t));
        yield return new ControllerApiHandler<CreateTopicsRequest, CreateTopicsResponse>(controller, (c, r, t) => c.CreateTopicsAsync(r, t));
        yield return new ControllerApiHandler<CreatePartitionsRequest, CreatePartitionsResponse>(controller, (c, r, t) => c.CreatePartitionsAsync(r, t));
        yield return new ControllerApiHandler<DeleteTopicsRequest, DeleteTopicsResponse>(controller, (c, r, t) => c.DeleteTopicsAsync(r, t));
        yield return new ControllerApiHandler<AlterConfigsRequest, AlterConfigsResponse>(controller, (c, r, t) => c.AlterConfigsAsync(r, t));
        yield return new ControllerApiHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>(
            controller, (c, r, t) => c.IncrementalAlterConfigsAsync(r, t));
    }
}

/// <summary>A request of the quorum itself: the Raft client answers it from its poll loop (a Fetch may be held there).</summary>
internal sealed class RaftApiHandler<TRequest> : ApiHandler<TRequest>
    where TRequest : IKafkaMessage<TRequest>, IApiMessage
{
    private readonly KafkaRaftClient _raft;

    public RaftApiHandler(KafkaRaftClient raft)
    {
        _raft = raft;
    }

    protected override async ValueTask<ApiResponse> HandleAsync(RequestContext context, TRequest request, CancellationToken cancellationToken)
    {
        var answered = new TaskCompletionSource<IKafkaMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _raft.HandleRequest(request, answered.SetResult);
        return ApiResponse.Of(await answered.Task.WaitAsync(cancellationToken).ConfigureAwait(false));
    }
}

/// <summary>A request brokers forward to the active controller; NOT_CONTROLLER in its own shape when this node is not it.</summary>
internal sealed class ControllerApiHandler<TRequest, TResponse> : ApiHandler<TRequest>
    where TRequest : IKafkaMessage<TRequest>, IApiMessage
    where TResponse : IKafkaMessage
{
    private readonly ControllerServer _controller;
    private readonly Func<MetadataController, TRequest, CancellationToken, Task<ControllerResult<TResponse>>> _call;

    public ControllerApiHandler(ControllerServer controller, Func<MetadataController, TRequest, CancellationToken, Task<ControllerResult<TResponse>>> call)
    {
        _controller = controller;
        _call = call;
    }

    protected override async ValueTask<ApiResponse> HandleAsync(RequestContext context, TRequest request, CancellationToken cancellationToken)
    {
        var active = _controller.Active ?? throw NotController();
        try
        {
            return ApiResponse.Of((await _call(active, request, cancellationToken).ConfigureAwait(false)).Response);
        }
        catch (NotControllerException exception)
        {
            throw new KafkaException(ErrorCode.NotController, exception.Message);
        }
    }

    private static KafkaException NotController() => new(ErrorCode.NotController, "This node is not the active controller.");
}
