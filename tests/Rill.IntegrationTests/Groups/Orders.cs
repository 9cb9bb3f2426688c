using Confluent.Kafka;
using Rill.TestKit;

namespace Rill.IntegrationTests.Groups;

/// <summary>The running example: orders keyed by user id on the topic <c>orders</c>.</summary>
internal static class Orders
{
    public const int Users = 50;

    public static string KeyOf(int order) => $"user-{order % Users}";

    public static string ValueOf(int order) => $"order-{order}";

    /// <summary>Produces orders <paramref name="first"/>..first+count-1 with acks=all and waits for every acknowledgement.</summary>
    public static void Produce(string bootstrapServers, string topic, int first, int count)
    {
        using var producer = KafkaClients.Producer<string, string>(bootstrapServers, c => c.Acks = Acks.All);
        var failures = 0;
        for (var order = first; order < first + count; order++)
        {
            producer.Produce(topic, new Message<string, string> { Key = KeyOf(order), Value = ValueOf(order) }, report =>
            {
                if (report.Error.IsError)
                {
                    Interlocked.Increment(ref failures);
                }
            });
        }

        if (producer.Flush(TimeSpan.FromSeconds(30)) != 0 || failures != 0)
        {
            throw new InvalidOperationException($"{failures} orders were not acknowledged.");
        }
    }

    /// <summary>
    /// Waits until the members' assignments are disjoint, together cover every partition (one owner each), and
    /// every member has a share when there are enough partitions to go round — that is, the rebalance is over.
    /// </summary>
    public static Task OneOwnerPerPartitionAsync(IReadOnlyList<IGroupMember> members, int partitions) =>
        Eventually.UntilAsync(
            () =>
            {
                var owners = members.SelectMany(m => m.Assignment).ToList();
                return owners.Count == partitions && owners.Distinct().Count() == partitions
                    && members.All(m => m.Assignment.Count > 0 || members.Count > partitions);
            },
            TimeSpan.FromSeconds(60),
            $"every one of {partitions} partitions owned by exactly one of {string.Join(", ", members.Select(m => m.Name))}");

    /// <summary>Waits until the members together have processed every order below <paramref name="count"/>.</summary>
    public static Task AllProcessedAsync(IReadOnlyList<IGroupMember> members, int count) =>
        Eventually.UntilAsync(
            () => members.SelectMany(m => m.Records).Select(r => r.Value).Distinct().Count() >= count,
            TimeSpan.FromSeconds(60),
            $"{count} distinct orders processed by {string.Join(", ", members.Select(m => m.Name))}");
}
