using Rill.Common;
using Rill.Config;

namespace Rill.Server;

/// <summary>
/// <c>meta.properties</c> in every log dir, as Kafka writes it: which cluster and node the data belongs to.
/// <c>rill storage format</c> writes it as <c>kafka-storage.sh format</c> does. A node that is its own quorum (one
/// voter, or the default of none) formats a fresh directory on first start; a node of a larger quorum must be
/// formatted first, or be given <c>cluster.id</c>, since nodes that each made up an id would form separate
/// clusters. Directories that disagree stop the node rather than mix two clusters' data.
/// </summary>
public static class MetaProperties
{
    public const string FileName = "meta.properties";

    /// <summary>Returns the cluster id, creating meta.properties where missing when this node may format itself.</summary>
    public static string LoadOrFormat(ServerConfig config)
    {
        var logDirs = config.LogDirs;
        string? clusterId = config.ClusterId;
        string? clusterIdSource = clusterId is null ? null : BrokerConfigs.ClusterIdConfig;
        var missing = new List<string>();
        foreach (var dir in logDirs)
        {
            var path = Path.Combine(dir, FileName);
            if (!File.Exists(path))
            {
                missing.Add(dir);
                continue;
            }

            var stored = Read(path, config.NodeId);
            if (clusterId is not null && clusterId != stored)
            {
                throw new ConfigException($"{path} belongs to cluster {stored}, but {clusterIdSource} says {clusterId}.");
            }

            clusterId = stored;
            clusterIdSource = path;
        }

        if (clusterId is null && missing.Count > 0 && !FormatsItself(config))
        {
            throw new ConfigException(
                $"{missing[0]} is not formatted. A node of a quorum of several controllers (or a broker-only node) needs the "
                + $"cluster's id: run 'rill storage format -t <cluster id> -c <server.properties>' on every node with the same id "
                + $"(make one with 'rill storage random-uuid'), or set {BrokerConfigs.ClusterIdConfig}.");
        }

        clusterId ??= Uuid.NewRandom().ToString();
        foreach (var dir in missing)
        {
            Write(dir, clusterId, config.NodeId);
        }

        return clusterId;
    }

    /// <summary>
    /// Writes meta.properties with <paramref name="clusterId"/> into every log dir (kafka-storage.sh format). A dir
    /// already formatted fails the whole format before anything is written, unless <paramref name="ignoreFormatted"/>,
    /// which skips it when it holds the same cluster and node. Returns the dirs written.
    /// </summary>
    public static IReadOnlyList<string> Format(ServerConfig config, string clusterId, bool ignoreFormatted)
    {
        var toWrite = new List<string>();
        foreach (var dir in config.LogDirs)
        {
            var path = Path.Combine(dir, FileName);
            if (!File.Exists(path))
            {
                toWrite.Add(dir);
                continue;
            }

            if (!ignoreFormatted)
            {
                throw new ConfigException($"Log directory {dir} is already formatted. Use --ignore-formatted to ignore this directory and format the others.");
            }

            var stored = Read(path, config.NodeId);
            if (stored != clusterId)
            {
                throw new ConfigException($"{path} belongs to cluster {stored}, not {clusterId}; it cannot join another cluster.");
            }
        }

        foreach (var dir in toWrite)
        {
            Write(dir, clusterId, config.NodeId);
        }

        return toWrite;
    }

    // One voter (this node) or none configured: the node is the whole quorum, so the id it makes up is the cluster's.
    private static bool FormatsItself(ServerConfig config) =>
        config.ProcessRoles.HasFlag(ProcessRoles.Controller)
        && config.ControllerQuorumVoters.All(voter => voter.NodeId == config.NodeId);

    private static string Read(string path, int nodeId)
    {
        var properties = JavaProperties.Parse(File.ReadAllText(path), path).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        if (!properties.TryGetValue("node.id", out var storedNode) || storedNode != nodeId.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new ConfigException($"{path} belongs to node.id={storedNode ?? "(none)"}, but this node is node.id={nodeId}.");
        }

        if (!properties.TryGetValue("cluster.id", out var storedCluster) || string.IsNullOrEmpty(storedCluster))
        {
            throw new ConfigException($"{path} has no cluster.id.");
        }

        return storedCluster;
    }

    private static void Write(string dir, string clusterId, int nodeId)
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
}
