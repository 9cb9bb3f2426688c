using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Replication;

namespace Rill.Server.Replication;

/// <summary>
/// The replica manager's ISR changes sent to the active controller through the node's <see cref="IControllerClient"/>:
/// in process while this node leads the quorum, forwarded to the leader's controller listener otherwise.
/// </summary>
internal sealed class ControllerAlterPartitionSender(IControllerClient controller) : IAlterPartitionSender
{
    public Task<AlterPartitionResponse> SendAsync(AlterPartitionRequest request, CancellationToken cancellationToken) =>
        controller.AlterPartitionAsync(request, cancellationToken);
}
