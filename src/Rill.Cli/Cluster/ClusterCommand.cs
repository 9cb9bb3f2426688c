using System.CommandLine;

namespace Rill.Cli.Cluster;

/// <summary><c>rill cluster info|config|alter-config</c>.</summary>
internal static class ClusterCommand
{
    public static Command Create(CliConsole console) => new("cluster", "Inspect the cluster and change brokers' dynamic configs.")
    {
        ClusterInfoCommand.Create(console),
        ClusterConfigCommand.Create(console),
        ClusterAlterConfigCommand.Create(console),
    };
}
