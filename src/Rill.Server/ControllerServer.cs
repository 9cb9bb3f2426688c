using Microsoft.Extensions.Logging;
using Rill.Metadata;
using Rill.Config;

namespace Rill.Server;

/// <summary>
/// The controller role of a node (<c>process.roles</c> has <c>controller</c>): the metadata log and the controller
/// that decides changes as records. Single-node Rill keeps the log in a local file; the Raft quorum will replace it
/// behind the same <see cref="IMetadataLog"/> seam.
/// </summary>
public sealed class ControllerServer : IDisposable
{
    private readonly IMetadataLog _log;

    private ControllerServer(IMetadataLog log, MetadataController controller)
    {
        _log = log;
        Controller = controller;
    }

    public MetadataController Controller { get; }

    /// <summary>Opens the metadata log in the first data directory and replays it into the first image.</summary>
    public static ControllerServer Start(ServerConfig config, ILoggerFactory loggerFactory)
    {
        var log = new FileMetadataLog(config.LogDirs[0], loggerFactory.CreateLogger<FileMetadataLog>());
        try
        {
            var controller = new MetadataController(
                log,
                new MetadataControllerConfig(config.NodeId, config.NumPartitions, (short)config.DefaultReplicationFactor),
                loggerFactory.CreateLogger<MetadataController>());
            controller.Load();
            return new ControllerServer(log, controller);
        }
        catch
        {
            log.Dispose();
            throw;
        }
    }

    public void Dispose() => _log.Dispose();
}
