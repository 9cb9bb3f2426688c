using Microsoft.Extensions.Logging;

namespace Rill.Storage;

/// <summary>
/// The host of a log no <see cref="LogManager"/> owns (<see cref="Log.Open"/>): nobody listens to its appends, an I/O
/// error takes only that log offline (every later call fails, so its owner can stop), and a truncation needs no
/// checkpoint since such a log keeps none: every open recovers it from its first segment.
/// </summary>
internal sealed class StandaloneLogHost(ILogger logger) : ILogHost
{
    public ILogAppendListener? AppendListener => null;

    public void OnStorageFailure(Log log, Exception exception)
    {
        StorageLog.StandaloneLogFailed(logger, log.Dir, exception);
        log.MarkOffline();
    }

    public void OnTruncated(Log log)
    {
    }
}
