using Microsoft.Extensions.Logging;
using Rill.Config;
using Rill.Storage;

namespace Rill.Server;

/// <summary>
/// Flushes what the flush policy asks for about once a second, checkpoints recovery points every
/// <c>log.flush.offset.checkpoint.interval.ms</c> (so a crash rescans little), applies retention every
/// <c>log.retention.check.interval.ms</c>, and compacts dirty compacted logs every 15 s (Kafka's
/// <c>log.cleaner.backoff.ms</c>). One loop, so these never run concurrently with each other.
/// </summary>
internal static class LogMaintenance
{
    private static readonly TimeSpan CompactionBackoff = TimeSpan.FromSeconds(15);

    public static async Task RunAsync(ServerConfig config, LogManager logs, TimeProvider time, ILogger logger, CancellationToken stopping)
    {
        var period = TimeSpan.FromMilliseconds(Math.Min(1_000, Math.Min(config.LogRetentionCheckIntervalMs, config.LogFlushOffsetCheckpointIntervalMs)));
        using var timer = new PeriodicTimer(period, time);
        var lastRetention = time.GetTimestamp();
        var lastCheckpoint = lastRetention;
        var lastCompaction = lastRetention;
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                try
                {
                    logs.FlushDirty();
                    if (time.GetElapsedTime(lastCheckpoint).TotalMilliseconds >= config.LogFlushOffsetCheckpointIntervalMs)
                    {
                        lastCheckpoint = time.GetTimestamp();
                        logs.WriteCheckpoints();
                    }

                    if (time.GetElapsedTime(lastRetention).TotalMilliseconds >= config.LogRetentionCheckIntervalMs)
                    {
                        lastRetention = time.GetTimestamp();
                        logs.RunRetention();
                    }

                    if (time.GetElapsedTime(lastCompaction) >= CompactionBackoff)
                    {
                        lastCompaction = time.GetTimestamp();
                        logs.RunCompaction();
                    }
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    ServerLog.BackgroundTaskFailed(logger, exception, "log maintenance");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutdown.
        }
    }
}
