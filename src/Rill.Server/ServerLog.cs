using Microsoft.Extensions.Logging;

namespace Rill.Server;

/// <summary>Log messages of the server layer; event ids 1000-1999.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Debug, Message = "Connection {connectionId} from {remote} closed: {reason}")]
    public static partial void ClosingConnection(ILogger logger, string connectionId, System.Net.EndPoint? remote, string reason);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "{apiKey} v{apiVersion} from client {clientId} failed on connection {connectionId}; answered with error {errorCode}")]
    public static partial void HandlerFailed(
        ILogger logger, Exception exception, Rill.Protocol.Messages.ApiKey apiKey, short apiVersion, string clientId, string connectionId, Rill.Common.ErrorCode errorCode);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Error, Message = "{apiKey} v{apiVersion} from client {clientId} failed on connection {connectionId}; closing it, as the request takes no answer")]
    public static partial void HandlerFailedClosing(
        ILogger logger, Exception exception, Rill.Protocol.Messages.ApiKey apiKey, short apiVersion, string clientId, string connectionId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Connection {connectionId} opened from {remote} on listener {listener}")]
    public static partial void ConnectionOpened(ILogger logger, string connectionId, System.Net.EndPoint? remote, string listener);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Rill broker {nodeId} started in {elapsed}; cluster {clusterId}; listening on {listeners}")]
    public static partial void Started(ILogger logger, int nodeId, TimeSpan elapsed, string clusterId, IReadOnlyList<Rill.Config.ListenerEndpoint> listeners);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Rill broker {nodeId} stopped cleanly")]
    public static partial void Stopped(ILogger logger, int nodeId);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Storage loaded: {partitions} partitions in {elapsed}")]
    public static partial void StorageLoaded(ILogger logger, int partitions, TimeSpan elapsed);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Topic {topic} auto-created with {partitions} partitions")]
    public static partial void TopicAutoCreated(ILogger logger, string topic, int partitions);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Error, Message = "Background task {task} failed")]
    public static partial void BackgroundTaskFailed(ILogger logger, Exception exception, string task);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "Closing {connections} connections that did not finish at shutdown")]
    public static partial void AbandonedConnections(ILogger logger, int connections);
}
