using Confluent.Kafka;

namespace Rill.Cli.Groups;

/// <summary>Group types as Kafka names them: "classic" (JoinGroup/SyncGroup) and "consumer" (KIP-848).</summary>
internal static class GroupTypes
{
    public static string Name(ConsumerGroupType type) => type switch
    {
        ConsumerGroupType.Classic => "classic",
        ConsumerGroupType.Consumer => "consumer",
        _ => "unknown",
    };
}
