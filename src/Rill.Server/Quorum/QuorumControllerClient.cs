using Microsoft.Extensions.Logging;
using Rill.Client;
using Rill.Common;
using Rill.Config;
using Rill.Metadata;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Server.Quorum;

/// <summary>
/// How the broker reaches the active controller (kafka: NodeToControllerChannelManager): in process when this node
/// leads the quorum, otherwise over Rill.Client to the leader's controller listener. A NOT_CONTROLLER answer, a lost
/// connection or an unknown leader waits for the next leader (or a retry backoff) and tries again, until
/// <see cref="ForwardTimeout"/>; then the request fails with REQUEST_TIMED_OUT, which is what a client sees from a
/// quorum that lost its majority.
/// </summary>
internal sealed class QuorumControllerClient : IControllerClient, IAsyncDisposable
{
    /// <summary>Kafka's controller.socket.timeout.ms default: how long a forwarded request keeps trying.</summary>
    public static readonly TimeSpan ForwardTimeout = TimeSpan.FromSeconds(30);

    private readonly int _nodeId;
    private readonly MetadataQuorum _quorum;
    private readonly ControllerServer? _local;
    private readonly Dictionary<int, PeerConnection> _controllers;
    private readonly TimeSpan _retryBackoff;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _failing;

    public QuorumControllerClient(ServerConfig config, MetadataQuorum quorum, ControllerServer? local, IKafkaTransport transport, TimeProvider time, ILogger logger)
    {
        _nodeId = config.NodeId;
        _quorum = quorum;
        _local = local;
        var options = new KafkaConnectionOptions { ClientId = $"broker-{config.NodeId}-to-controller", Transport = transport, TimeProvider = time };
        _controllers = config.QuorumVoters
            .Where(voter => voter.NodeId != config.NodeId || local is null)
            .ToDictionary(voter => voter.NodeId, voter => new PeerConnection(voter.Host, voter.Port, options));
        _retryBackoff = TimeSpan.FromMilliseconds(Math.Max(config.ControllerQuorumRetryBackoffMs, 10));
        _time = time;
        _logger = logger;
    }

    public Task<BrokerRegistrationResponse> RegisterBrokerAsync(BrokerRegistrationRequest request, CancellationToken cancellationToken) =>
        CallAsync<BrokerRegistrationRequest, BrokerRegistrationResponse>(
            request, (c, r, t) => c.RegisterBrokerAsync(r, t), r => r.ErrorCode == (short)ErrorCode.NotController, cancellationToken);

    public Task<BrokerHeartbeatResponse> BrokerHeartbeatAsync(BrokerHeartbeatRequest request, CancellationToken cancellationToken) =>
        CallAsync<BrokerHeartbeatRequest, BrokerHeartbeatResponse>(
            request, (c, r, t) => c.BrokerHeartbeatAsync(r, t), r => r.ErrorCode == (short)ErrorCode.NotController, cancellationToken);

    public Task<AlterPartitionResponse> AlterPartitionAsync(AlterPartitionRequest request, CancellationToken cancellationToken) =>
        CallAsync<AlterPartitionRequest, AlterPartitionResponse>(
            request, (c, r, t) => c.AlterPartitionAsync(r, t), r => r.ErrorCode == (short)ErrorCode.NotController, cancellationToken);

    public Task<ElectLeadersResponse> ElectLeadersAsync(ElectLeadersRequest request, CancellationToken cancellationToken) =>
        CallAsync<ElectLeadersRequest, ElectLeadersResponse>(
            request, (c, r, t) => c.ElectLeadersAsync(r, t), r => r.ErrorCode == (short)ErrorCode.NotController, cancellationToken);

    public Task<AlterPartitionReassignmentsResponse> AlterPartitionReassignmentsAsync(AlterPartitionReassignmentsRequest request, CancellationToken cancellationToken) =>
        CallAsync<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse>(
            request, (c, r, t) => c.AlterPartitionReassignmentsAsync(r, t), r => r.ErrorCode == (short)ErrorCode.NotController, cancellationToken);

    public Task<ListPartitionReassignmentsResponse> ListPartitionReassignmentsAsync(ListPartitionReassignmentsRequest request, CancellationToken cancellationToken) =>
        CallAsync<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse>(
            request, (c, r, t) => c.ListPartitionReassignmentsAsync(r, t), r => r.ErrorCode == (short)ErrorCode.NotController, cancellationToken);

    public Task<CreateTopicsResponse> CreateTopicsAsync(CreateTopicsRequest request, CancellationToken cancellationToken) =>
        CallAsync<CreateTopicsRequest, CreateTopicsResponse>(
            request, (c, r, t) => c.CreateTopicsAsync(r, t), r => r.Topics.Exists(t => t.ErrorCode == (short)ErrorCode.NotController), cancellationToken);

    public Task<CreatePartitionsResponse> CreatePartitionsAsync(CreatePartitionsRequest request, CancellationToken cancellationToken) =>
        CallAsync<CreatePartitionsRequest, CreatePartitionsResponse>(
            request, (c, r, t) => c.CreatePartitionsAsync(r, t), r => r.Results.Exists(t => t.ErrorCode == (short)ErrorCode.NotController), cancellationToken);

    public Task<DeleteTopicsResponse> DeleteTopicsAsync(DeleteTopicsRequest request, CancellationToken cancellationToken) =>
        CallAsync<DeleteTopicsRequest, DeleteTopicsResponse>(
            request, (c, r, t) => c.DeleteTopicsAsync(r, t), r => r.Responses.Exists(t => t.ErrorCode == (short)ErrorCode.NotController), cancellationToken);

    public Task<AlterConfigsResponse> AlterConfigsAsync(AlterConfigsRequest request, CancellationToken cancellationToken) =>
        CallAsync<AlterConfigsRequest, AlterConfigsResponse>(
            request, (c, r, t) => c.AlterConfigsAsync(r, t), r => r.Responses.Exists(t => t.ErrorCode == (short)ErrorCode.NotController), cancellationToken);

    public Task<IncrementalAlterConfigsResponse> IncrementalAlterConfigsAsync(IncrementalAlterConfigsRequest request, CancellationToken cancellationToken) =>
        CallAsync<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>(
            request, (c, r, t) => c.IncrementalAlterConfigsAsync(r, t), r => r.Responses.Exists(t => t.ErrorCode == (short)ErrorCode.NotController), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        foreach (var controller in _controllers.Values)
        {
            await controller.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>DescribeQuorum, answered by the quorum's leader (kafka: brokers forward it to the controllers).</summary>
    public Task<DescribeQuorumResponse> DescribeQuorumAsync(DescribeQuorumRequest request, CancellationToken cancellationToken) =>
        SendAsync<DescribeQuorumRequest, DescribeQuorumResponse>(
            request,
            _ =>
            {
                var answered = new TaskCompletionSource<DescribeQuorumResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
                _quorum.Raft.HandleRequest(request, response => answered.SetResult((DescribeQuorumResponse)response));
                return answered.Task;
            },
            r => r.ErrorCode == (short)ErrorCode.NotLeaderOrFollower,
            cancellationToken);

    private Task<TResponse> CallAsync<TRequest, TResponse>(
        TRequest request,
        Func<MetadataController, TRequest, CancellationToken, Task<ControllerResult<TResponse>>> local,
        Func<TResponse, bool> notController,
        CancellationToken cancellationToken)
        where TRequest : IKafkaMessage, IApiMessage
        where TResponse : IKafkaMessage<TResponse>, IApiMessage =>
        SendAsync<TRequest, TResponse>(
            request,
            token => _local?.Active is { } controller ? ResponseOf(local(controller, request, token)) : null,
            notController,
            cancellationToken);

    private static async Task<TResponse> ResponseOf<TResponse>(Task<ControllerResult<TResponse>> result) =>
        (await result.ConfigureAwait(false)).Response;

    // tryLocal answers in this process when this node leads; null while it leads but has not finished activating.
    private async Task<TResponse> SendAsync<TRequest, TResponse>(
        TRequest request,
        Func<CancellationToken, Task<TResponse>?> tryLocal,
        Func<TResponse, bool> notController,
        CancellationToken cancellationToken)
        where TRequest : IKafkaMessage, IApiMessage
        where TResponse : IKafkaMessage<TResponse>, IApiMessage
    {
        using var deadline = new CancellationTokenSource(ForwardTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        var token = linked.Token;
        try
        {
            while (true)
            {
                var leader = _quorum.Leader;
                if (leader.LeaderId == _nodeId && _local is not null)
                {
                    if (tryLocal(token) is { } call)
                    {
                        try
                        {
                            var answer = await call.ConfigureAwait(false);
                            Volatile.Write(ref _failing, 0);
                            return answer;
                        }
                        catch (NotControllerException exception)
                        {
                            LogRetry(TRequest.ApiKey, exception.Message);
                        }
                    }
                }
                else if (_controllers.TryGetValue(leader.LeaderId, out var remote))
                {
                    try
                    {
                        var response = await remote.SendAsync<TRequest, TResponse>(request, token).ConfigureAwait(false);
                        if (!notController(response))
                        {
                            Volatile.Write(ref _failing, 0);
                            return response;
                        }
                    }
                    catch (KafkaConnectionException exception)
                    {
                        LogRetry(TRequest.ApiKey, exception.Message);
                    }
                }

                // No leader known, the leader is still activating, or it moved: wait for news or a short backoff.
                await Task.WhenAny(_quorum.LeaderChangedAsync(leader, token), Task.Delay(_retryBackoff, _time, token)).ConfigureAwait(false);
                token.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new KafkaException(
                ErrorCode.RequestTimedOut,
                $"No active controller answered {TRequest.ApiKey} within {ForwardTimeout.TotalSeconds:0} s: the metadata quorum has no leader (is a majority of {string.Join(", ", _quorum.VoterIds)} running?).");
        }
    }

    // Once per outage as a warning: while the controller is away every heartbeat (a few a second) fails alike.
    private void LogRetry(ApiKey api, string reason)
    {
        if (Interlocked.Exchange(ref _failing, 1) == 0)
        {
            QuorumLog.ForwardRetry(_logger, api, reason);
        }
        else
        {
            QuorumLog.ForwardRetryAgain(_logger, api, reason);
        }
    }
}
