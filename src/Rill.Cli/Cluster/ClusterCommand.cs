using System.CommandLine;

namespace Rill.Cli.Cluster;

/// <summary><c>rill cluster info</c>.</summary>
internal static class ClusterCommand
{
    public static Command Create(CliConsole console) => new("cluster", "Inspect the cluster.")
    {
        ClusterInfoCommand.Create(console),
    };
}
