using Microsoft.Extensions.Logging;

namespace Rill.Server.Observability;

/// <summary>Log messages of the admin endpoint and metrics; event ids 1100-1199 of the server's range.</summary>
internal static partial class ObservabilityLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Admin endpoint listening on http://{endpoint} (/metrics, /health)")]
    public static partial void AdminListening(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning,
        Message = "Admin endpoint not started: {endpoint}, the default admin.listener, is in use; set admin.listener to serve /metrics and /health")]
    public static partial void DefaultAdminListenerInUse(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Consumer group offsets left out of this scrape: {reason}")]
    public static partial void GroupOffsetsNotCollected(ILogger logger, string reason);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "An observable metric failed during a scrape; the others were exported")]
    public static partial void ObservableInstrumentFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Debug, Message = "Instrument {instrument} ({kind}) has no Prometheus mapping and is not exported")]
    public static partial void InstrumentNotExported(ILogger logger, string instrument, string kind);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Error, Message = "Admin request {method} {path} failed")]
    public static partial void AdminRequestFailed(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Debug, Message = "Admin endpoint on {endpoint} stopped")]
    public static partial void AdminStopped(ILogger logger, string endpoint);
}
