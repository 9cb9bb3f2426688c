using Rill.Protocol.Messages;
using Rill.Server.Handlers;
using Rill.Server.Network;

namespace Rill.Server.Quorum;

/// <summary>DescribeQuorum on a broker listener (kafka-metadata-quorum.sh --bootstrap-server): answered by the quorum's leader.</summary>
internal sealed class DescribeQuorumHandler : ApiHandler<DescribeQuorumRequest>
{
    private readonly QuorumControllerClient _controller;

    public DescribeQuorumHandler(QuorumControllerClient controller)
    {
        _controller = controller;
    }

    protected override async ValueTask<ApiResponse> HandleAsync(RequestContext context, DescribeQuorumRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Of(await _controller.DescribeQuorumAsync(request, cancellationToken).ConfigureAwait(false));
}
