using Rill.Storage;

namespace Rill.Server.Observability;

/// <summary>
/// Whether the node should receive traffic: ready once storage and metadata are loaded and the Kafka listeners
/// accept connections, not ready again from the start of shutdown, and not ready while a log directory is offline
/// (its partitions answer KAFKA_STORAGE_ERROR).
/// </summary>
public sealed class NodeHealth
{
    private readonly LogManager _logs;
    private volatile string? _notReadyReason = "starting";

    public NodeHealth(LogManager logs)
    {
        _logs = logs;
    }

    public void MarkReady() => _notReadyReason = null;

    public void MarkStopping() => _notReadyReason = "shutting down";

    /// <summary>True when ready; otherwise <paramref name="reason"/> says why, in a few words.</summary>
    public bool IsReady(out string reason)
    {
        if (_notReadyReason is { } notReady)
        {
            reason = notReady;
            return false;
        }

        var offline = _logs.OfflineLogDirs;
        if (offline.Count > 0)
        {
            reason = $"log dirs offline: {string.Join(", ", offline)}";
            return false;
        }

        reason = "ready";
        return true;
    }
}
