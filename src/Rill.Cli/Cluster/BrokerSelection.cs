using System.CommandLine;
using System.Globalization;
using Confluent.Kafka.Admin;

namespace Rill.Cli.Cluster;

/// <summary>
/// The broker a <c>rill cluster config</c> command addresses: <c>--broker ID</c>, else the controller (the broker
/// <c>rill cluster info</c> marks), else the lowest id. Confluent.Kafka refuses a BROKER resource without a name, so
/// Kafka's cluster-wide default (resource "") is out of reach here; kafka-configs.sh --entity-default sets it.
/// </summary>
internal static class BrokerSelection
{
    public static Option<int?> Option() =>
        CommandOptions.AtLeast("--broker", 0, "The broker's id (default: the controller, as 'rill cluster info' shows it).");

    public static int Resolve(ClusterAdmin admin, int? requested)
    {
        var nodes = admin.Cluster.Nodes;
        if (requested is { } id)
        {
            return nodes.Any(node => node.Id == id)
                ? id
                : throw CliException.Failed($"broker {id} is not in the cluster (brokers: {string.Join(", ", nodes.Select(node => node.Id).Order())})");
        }

        return admin.Cluster.Controller?.Id ?? nodes.Min(node => node.Id);
    }

    public static ConfigResource Resource(int brokerId) =>
        new() { Type = ResourceType.Broker, Name = brokerId.ToString(CultureInfo.InvariantCulture) };
}
