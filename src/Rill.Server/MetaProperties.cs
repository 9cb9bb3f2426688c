using Rill.Common;
using Rill.Config;

namespace Rill.Server;

/// <summary>
/// <c>meta.properties</c> in every log dir, as Kafka writes it: which cluster and node the data belongs to.
/// A fresh directory is formatted on first start (Kafka needs <c>kafka-storage format</c>; a single node
/// formats itself); directories that disagree stop the broker rather than mix two clusters' data.
/// </summary>
public static class MetaProperties
{
    public const string FileName = "meta.properties";

    /// <summary>Returns the cluster id, creating meta.properties where missing.</summary>
    public static string LoadOrFormat(IReadOnlyList<string> logDirs, int nodeId, string? configuredClusterId)
    {
        string? clusterId = configuredClusterId;
        string? clusterIdSource = configuredClusterId is null ? null : "cluster.id";
        var missing = new List<string>();
        foreach (var dir in logDirs)
        {
            var path = Path.Combine(dir, FileName);
            if (!File.Exists(path))
            {
                missing.Add(dir);
                continue;
            }

            var properties = JavaProperties.Parse(File.ReadAllText(path), path).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            if (!properties.TryGetValue("node.id", out var storedNode) || storedNode != nodeId.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                throw new ConfigException($"{path} belongs to node.id={storedNode ?? "(none)"}, but this broker is node.id={nodeId}.");
            }

            if (!properties.TryGetValue("cluster.id", out var storedCluster) || string.IsNullOrEmpty(storedCluster))
            {
                throw new ConfigException($"{path} has no cluster.id.");
            }

            if (clusterId is not null && clusterId != storedCluster)
            {
                throw new ConfigException($"{path} belongs to cluster {storedCluster}, but {clusterIdSource} says {clusterId}.");
            }

            clusterId = storedCluster;
            clusterIdSource = path;
        }

        clusterId ??= Uuid.NewRandom().ToString();
        foreach (var dir in missing)
        {
            Directory.CreateDirectory(dir);
            var content =
                "#Written by Rill; do not edit\n" +
                $"cluster.id={clusterId}\n" +
                $"directory.id={Uuid.NewRandom()}\n" +
                $"node.id={nodeId}\n" +
                "version=1\n";
            var path = Path.Combine(dir, FileName);
            var temp = path + ".tmp";
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
            {
                file.Write(System.Text.Encoding.UTF8.GetBytes(content));
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }

        return clusterId;
    }
}
