using Microsoft.Extensions.Logging;
using Rill.Client;
using Rill.Config;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Raft;

namespace Rill.Server.Quorum;

/// <summary>
/// The Raft client's network (kafka: KafkaNetworkChannel): each request goes over Rill.Client to the destination
/// voter's controller listener, as <c>controller.quorum.voters</c> names it, and its answer (or null after a failure or
/// <c>controller.quorum.request.timeout.ms</c>) goes back to the client's queue.
/// </summary>
internal sealed class RaftChannel : IRaftChannel, IAsyncDisposable
{
    private readonly Dictionary<int, PeerConnection> _peers;
    private readonly TimeSpan _requestTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();

    public RaftChannel(ServerConfig config, IKafkaTransport transport, TimeProvider time, ILogger logger)
    {
        var options = new KafkaConnectionOptions
        {
            ClientId = $"raft-client-{config.NodeId}",
            Transport = transport,
            TimeProvider = time,
        };
        _peers = config.QuorumVoters
            .Where(voter => voter.NodeId != config.NodeId)
            .ToDictionary(voter => voter.NodeId, voter => new PeerConnection(voter.Host, voter.Port, options));
        _requestTimeout = TimeSpan.FromMilliseconds(config.ControllerQuorumRequestTimeoutMs);
        _time = time;
        _logger = logger;
    }

    public void Send(int destinationId, IApiMessage request, Action<IKafkaMessage?> onResponse)
    {
        if (!_peers.TryGetValue(destinationId, out var peer))
        {
            onResponse(null);
            return;
        }

        _ = request switch
        {
            VoteRequest vote => SendAsync<VoteRequest, VoteResponse>(peer, vote, onResponse),
            BeginQuorumEpochRequest begin => SendAsync<BeginQuorumEpochRequest, BeginQuorumEpochResponse>(peer, begin, onResponse),
            EndQuorumEpochRequest end => SendAsync<EndQuorumEpochRequest, EndQuorumEpochResponse>(peer, end, onResponse),
            FetchRequest fetch => SendAsync<FetchRequest, FetchResponse>(peer, fetch, onResponse),
            FetchSnapshotRequest snapshot => SendAsync<FetchSnapshotRequest, FetchSnapshotResponse>(peer, snapshot, onResponse),
            _ => throw new ArgumentException($"{request.GetType().Name} is not a Raft request.", nameof(request)),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync().ConfigureAwait(false);
        foreach (var peer in _peers.Values)
        {
            await peer.DisposeAsync().ConfigureAwait(false);
        }

        _closing.Dispose();
    }

    private async Task SendAsync<TRequest, TResponse>(PeerConnection peer, TRequest request, Action<IKafkaMessage?> onResponse)
        where TRequest : IKafkaMessage, IApiMessage
        where TResponse : IKafkaMessage<TResponse>, IApiMessage
    {
        IKafkaMessage? response = null;
        try
        {
            using var timeout = new CancellationTokenSource(_requestTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _closing.Token);
            response = await peer.SendAsync<TRequest, TResponse>(request, linked.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is KafkaConnectionException or OperationCanceledException or ProtocolException or ObjectDisposedException
            or Rill.Common.KafkaException)
        {
            QuorumLog.RequestFailed(_logger, TRequest.ApiKey, peer.Endpoint, exception.Message);
        }

        onResponse(response);
    }
}
