using Rill.Common;

namespace Rill.Raft;

/// <summary>
/// An append to an epoch this node does not lead (kafka: <c>NotLeaderException</c>). It carries NOT_CONTROLLER, the code a
/// controller answers a write with when it is not the active one, so the caller can map it to the wire unchanged.
/// </summary>
public sealed class NotLeaderException : KafkaException
{
    public NotLeaderException(string message)
        : base(ErrorCode.NotController, message)
    {
    }
}
