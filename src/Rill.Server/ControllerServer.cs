using Microsoft.Extensions.Logging;
using Rill.Config;
using Rill.Metadata;

namespace Rill.Server;

/// <summary>
/// The controller role of a node: the controller that decides metadata changes as records and appends them to the
/// metadata log, and the client the broker reaches it through. In combined mode this node is the only controller,
/// so it is the active one from the start, on the image the loader read from the log; the Raft quorum will elect
/// the active controller among several and forward to it behind the same <see cref="IControllerClient"/>.
/// </summary>
public sealed class ControllerServer : IDisposable
{
    private readonly MetadataController _controller;

    private ControllerServer(MetadataController controller)
    {
        _controller = controller;
        Client = new LocalControllerClient(controller);
    }

    /// <summary>How the broker and its handlers ask for changes.</summary>
    public IControllerClient Client { get; }

    public static ControllerServer Start(
        ServerConfig config, string clusterId, IMetadataLog log, MetadataImage loaded, TimeProvider time, ILoggerFactory loggerFactory) =>
        new(new MetadataController(log, loaded, config, clusterId, time, new Random(), loggerFactory.CreateLogger<MetadataController>()));

    public void Dispose() => _controller.Dispose();
}
