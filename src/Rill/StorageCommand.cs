using System.CommandLine;
using Rill.Common;
using Rill.Config;
using Rill.Server;

namespace Rill;

/// <summary>
/// <c>rill storage format -t ID -c server.properties [--ignore-formatted]</c> and <c>rill storage random-uuid</c>, as
/// <c>kafka-storage.sh</c> takes them: every node of a cluster is formatted with the same cluster id before it starts.
/// </summary>
internal static class StorageCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config", "-c") { Description = "The node's server.properties.", Required = true };
        var clusterId = new Option<string>("--cluster-id", "-t") { Description = "The cluster id (22-character base64url, from 'rill storage random-uuid').", Required = true };
        var ignoreFormatted = new Option<bool>("--ignore-formatted", "-g") { Description = "Skip log directories already formatted for this cluster and node." };
        var format = new Command("format", "Write meta.properties with the cluster id into every log directory of the node.")
        {
            config,
            clusterId,
            ignoreFormatted,
        };
        format.SetAction(parse => Format(parse.GetValue(config)!, parse.GetValue(clusterId)!, parse.GetValue(ignoreFormatted)));

        var randomUuid = new Command("random-uuid", "Print a new random cluster id.");
        randomUuid.SetAction(_ =>
        {
            Console.Out.WriteLine(Uuid.NewRandom().ToString());
            return 0;
        });

        return new Command("storage", "Prepare a node's log directories (kafka-storage.sh).") { format, randomUuid };
    }

    private static int Format(FileInfo propertiesFile, string clusterId, bool ignoreFormatted)
    {
        try
        {
            var config = ServerConfig.Load(propertiesFile.FullName, new Dictionary<string, string>(StringComparer.Ordinal), []);
            if (!IsClusterId(clusterId))
            {
                throw new ConfigException($"Cluster id '{clusterId}' is not a non-zero 22-character base64url id; 'rill storage random-uuid' prints one.");
            }

            foreach (var dir in MetaProperties.Format(config, clusterId, ignoreFormatted))
            {
                Console.Out.WriteLine($"Formatting {dir} with cluster id {clusterId} for node {config.NodeId}.");
            }

            return 0;
        }
        catch (ConfigException exception)
        {
            Console.Error.WriteLine($"rill: {exception.Message}");
            return 2;
        }
    }

    private static bool IsClusterId(string text)
    {
        try
        {
            return text.Length == 22 && Uuid.Parse(text) != Uuid.Zero;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
