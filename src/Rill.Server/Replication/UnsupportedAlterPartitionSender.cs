using Rill.Common;
using Rill.Protocol.Messages;
using Rill.Replication;

namespace Rill.Server.Replication;

/// <summary>
/// The ISR-change channel of a node whose controller does not decide AlterPartition yet: every change is answered
/// UNSUPPORTED_VERSION, which the replica manager retries, so no ISR changes. A single node never asks (it has no
/// followers); a cluster's node wires <see cref="IAlterPartitionSender"/> to its controller instead.
/// </summary>
internal sealed class UnsupportedAlterPartitionSender : IAlterPartitionSender
{
    public Task<AlterPartitionResponse> SendAsync(AlterPartitionRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new AlterPartitionResponse { ErrorCode = (short)ErrorCode.UnsupportedVersion });
}
