using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Raft;

/// <summary>
/// KIP-996's PreVote flag on a Vote request. Kafka 4.0 added it as a plain field of Vote v2; Rill's schemas (and so its
/// generated codecs) end at Vote v1, so Rill carries the flag as a tagged field of v1's PartitionData, which v1 peers
/// that do not know it skip. A pre-vote asks "would you vote for me?" at the sender's current epoch and changes no
/// state on the receiver. The tag sits far above the low numbers Kafka allocates its own tags from, so a later Kafka
/// tagged field cannot collide with it before the schemas move to v2 and this becomes the plain field.
/// </summary>
internal static class PreVoteField
{
    public const int Tag = 10_000;

    private static readonly byte[] True = [1];

    public static void Mark(VoteRequest.PartitionData partition) =>
        (partition.UnknownTaggedFields ??= []).Add(new RawTaggedField(Tag, True));

    public static bool IsPreVote(VoteRequest.PartitionData partition)
    {
        if (partition.UnknownTaggedFields is not { } fields)
        {
            return false;
        }

        foreach (var field in fields)
        {
            if (field.Tag == Tag)
            {
                return field.Data.Length == 1 && field.Data.Span[0] != 0;
            }
        }

        return false;
    }
}
